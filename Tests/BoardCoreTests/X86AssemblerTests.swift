import Foundation
import Testing
import TestSupport
@testable import BoardCore

/// The JIT's hand-written x86-64 encoder against GNU as: every form the translator emits,
/// with the registers that need REX bits or special ModR/M handling (rsp/r12 bases need a
/// SIB byte, rbp/r13 bases a displacement). Skipped when binutils is not installed.
@Suite struct X86AssemblerTests {
    typealias A = X86Assembler

    static let cases: [(String, (inout A) -> Void)] = [
        ("mov rax, qword ptr [rbx+8]", { $0.load64(.rax, A.Mem(.rbx, 8)) }),
        ("mov r12, qword ptr [rdi+8]", { $0.load64(.r12, A.Mem(.rdi, 8)) }),
        ("mov rcx, qword ptr [rbx+256]", { $0.load64(.rcx, A.Mem(.rbx, 256)) }),
        ("mov rax, qword ptr [r12]", { $0.load64(.rax, A.Mem(.r12)) }),
        ("mov rax, qword ptr [r13]", { $0.load64(.rax, A.Mem(.r13)) }),
        ("mov rax, qword ptr [rbp-8]", { $0.load64(.rax, A.Mem(.rbp, -8)) }),
        ("mov rax, qword ptr [rsp+16]", { $0.load64(.rax, A.Mem(.rsp, 16)) }),
        ("mov rcx, qword ptr [r14+rcx+8]", { $0.load64(.rcx, A.Mem(.r14, 8, index: .rcx)) }),
        ("movsxd rax, dword ptr [rcx+r8]", { $0.load(.rax, A.Mem(.rcx, 0, index: .r8), size: 4, signed: true) }),
        ("mov eax, dword ptr [rcx+r8]", { $0.load(.rax, A.Mem(.rcx, 0, index: .r8), size: 4, signed: false) }),
        ("movsx rax, word ptr [rcx+r8]", { $0.load(.rax, A.Mem(.rcx, 0, index: .r8), size: 2, signed: true) }),
        ("movzx eax, word ptr [rcx+r8]", { $0.load(.rax, A.Mem(.rcx, 0, index: .r8), size: 2, signed: false) }),
        ("movsx rax, byte ptr [rcx+r8]", { $0.load(.rax, A.Mem(.rcx, 0, index: .r8), size: 1, signed: true) }),
        ("movzx eax, byte ptr [rcx+r8]", { $0.load(.rax, A.Mem(.rcx, 0, index: .r8), size: 1, signed: false) }),
        ("mov qword ptr [rcx+r8], r9", { $0.store(A.Mem(.rcx, 0, index: .r8), .r9, size: 8) }),
        ("mov dword ptr [rcx+r8], r9d", { $0.store(A.Mem(.rcx, 0, index: .r8), .r9, size: 4) }),
        ("mov word ptr [rcx+r8], r9w", { $0.store(A.Mem(.rcx, 0, index: .r8), .r9, size: 2) }),
        ("mov byte ptr [rcx+r8], r9b", { $0.store(A.Mem(.rcx, 0, index: .r8), .r9, size: 1) }),
        ("mov byte ptr [rbx+3], sil", { $0.store(A.Mem(.rbx, 3), .rsi, size: 1) }),
        ("mov qword ptr [rbx+256], rax", { $0.store(A.Mem(.rbx, 256), .rax, size: 8) }),
        ("mov qword ptr [rdi+48], 2047", { $0.storeImm(A.Mem(.rdi, 48), 2047) }),
        ("mov rax, rbp", { $0.mov(.rax, .rbp) }),
        ("mov r9, rax", { $0.mov(.r9, .rax) }),
        ("mov ecx, edx", { $0.mov32(.rcx, .rdx) }),
        ("mov r8d, eax", { $0.mov32(.r8, .rax) }),
        ("xor eax, eax", { $0.movImm(.rax, 0) }),
        ("xor r9d, r9d", { $0.movImm(.r9, 0) }),
        ("mov eax, 0x12345678", { $0.movImm(.rax, 0x1234_5678) }),
        ("mov rax, -4096", { $0.movImm(.rax, UInt64(bitPattern: -4096)) }),
        ("movabs rsi, 0x123456789abcdef0", { $0.movImm(.rsi, 0x1234_5678_9ABC_DEF0) }),
        ("movsxd rax, eax", { $0.movsxd(.rax, .rax) }),
        ("add rax, rcx", { $0.alu(.add, .rax, .rcx) }),
        ("sub r12, 3", { $0.alu(.sub, .r12, imm: 3) }),
        ("add r13, 1000", { $0.alu(.add, .r13, imm: 1000) }),
        ("and rax, -2", { $0.alu(.and, .rax, imm: -2) }),
        ("xor rdx, rbp", { $0.alu(.xor, .rdx, .rbp) }),
        ("or rax, rcx", { $0.alu(.or, .rax, .rcx) }),
        ("cmp rax, rcx", { $0.alu(.cmp, .rax, .rcx) }),
        ("cmp rcx, -2048", { $0.alu(.cmp, .rcx, imm: -2048) }),
        ("add eax, ecx", { $0.alu(.add, .rax, .rcx, w: false) }),
        ("sub eax, ecx", { $0.alu(.sub, .rax, .rcx, w: false) }),
        ("add eax, -1", { $0.alu(.add, .rax, imm: -1, w: false) }),
        ("and ecx, 1023", { $0.alu(.and, .rcx, imm: 1023, w: false) }),
        ("cmp r8d, 4088", { $0.alu(.cmp, .r8, imm: 4088, w: false) }),
        ("cmp rdx, qword ptr [r14+rcx]", { $0.alu(.cmp, .rdx, A.Mem(.r14, 0, index: .rcx)) }),
        ("cmp rdx, qword ptr [r15+rcx]", { $0.alu(.cmp, .rdx, A.Mem(.r15, 0, index: .rcx)) }),
        ("sub qword ptr [rdi+8], 5", { $0.alu(.sub, A.Mem(.rdi, 8), imm: 5) }),
        ("test r12, r12", { $0.test(.r12, .r12) }),
        ("shl rax, 63", { $0.shift(.shl, .rax, 63) }),
        ("shr rdx, 12", { $0.shift(.shr, .rdx, 12) }),
        ("sar rax, 5", { $0.shift(.sar, .rax, 5) }),
        ("shl ecx, 4", { $0.shift(.shl, .rcx, 4, w: false) }),
        ("sar eax, 31", { $0.shift(.sar, .rax, 31, w: false) }),
        ("shl rax, cl", { $0.shiftCL(.shl, .rax) }),
        ("shr eax, cl", { $0.shiftCL(.shr, .rax, w: false) }),
        ("sar rax, cl", { $0.shiftCL(.sar, .rax) }),
        ("imul rax, rcx", { $0.imul(.rax, .rcx) }),
        ("imul eax, ecx", { $0.imul(.rax, .rcx, w: false) }),
        ("mul rcx", { $0.mulWide(.rcx, signed: false) }),
        ("imul rcx", { $0.mulWide(.rcx, signed: true) }),
        ("div rcx", { $0.divWide(.rcx) }),
        ("div r9", { $0.divWide(.r9) }),
        ("setl al; movzx eax, al", { $0.setToRAX(.l) }),
        ("setb al; movzx eax, al", { $0.setToRAX(.b) }),
        ("push rbx; push r12; push r15", { $0.push(.rbx); $0.push(.r12); $0.push(.r15) }),
        ("pop r15; pop rbp; ret", { $0.pop(.r15); $0.pop(.rbp); $0.ret() }),
    ]

    /// The bytes GNU as makes of `text` (Intel syntax), or nil without binutils.
    static func gnuAs(_ text: String) throws -> [UInt8]? {
        guard let asPath = executableOnPath("as"), let objcopy = executableOnPath("objcopy") else { return nil }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("x86-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = dir.appendingPathComponent("t.s"), obj = dir.appendingPathComponent("t.o"), bin = dir.appendingPathComponent("t.bin")
        try ".intel_syntax noprefix\n\(text.replacingOccurrences(of: "; ", with: "\n"))\n".write(to: src, atomically: true, encoding: .utf8)
        for (tool, args) in [(asPath, ["--64", "-o", obj.path, src.path]), (objcopy, ["-O", "binary", "-j", ".text", obj.path, bin.path])] {
            guard try runSubprocess(tool, args, timeout: 60).status == 0 else { return nil }
        }
        return [UInt8](try Data(contentsOf: bin))
    }

    @Test(arguments: 0..<cases.count)
    func encodingMatchesGNUAs(_ i: Int) throws {
        let (text, emit) = Self.cases[i]
        guard let expected = try Self.gnuAs(text) else { return }
        var a = A()
        emit(&a)
        let finished = a.finish()
        let got = try #require(finished)
        #expect(got == expected, "\(text): got \(got.map { String(format: "%02x", $0) }) want \(expected.map { String(format: "%02x", $0) })")
    }

    @Test func jumpsResolveToTheirLabels() throws {
        var a = A()
        let back = a.newLabel(), fwd = a.newLabel()
        a.bind(back)
        a.jcc(.ne, fwd)       // 6 bytes
        a.jmp(back)           // 5 bytes
        a.bind(fwd)
        a.ret()
        let finished = a.finish()
        let code = try #require(finished)
        #expect(code == [0x0F, 0x85, 0x05, 0, 0, 0, 0xE9, 0xF5, 0xFF, 0xFF, 0xFF, 0xC3])
        var b = A()
        b.jmp(b.newLabel())
        #expect(b.finish() == nil, "an unbound label is an error, not a jump to nowhere")
    }
}
