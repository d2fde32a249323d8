@testable import BoardCore
import RISCV
import Testing

/// F and D at the hart level: FS gating and Dirty tracking (Priv. §3.1.6.6, H "vsstatus"),
/// NaN-boxing, the dynamic rounding mode, and the compressed FP loads/stores' decoding.
@Suite struct FloatingPointTests {
    func hart(fd: Bool = true) -> Hart {
        let h = Hart(id: 0, bus: Bus(memoryBytes: 1 << 20), sstc: false, h: true, fd: fd)
        h.reset(pc: 0x8000_0000)
        return h
    }

    func cause(_ body: () throws -> Void) -> Cause? {
        do { try body(); return nil } catch { return (error as? Trap)?.cause }
    }

    static let faddS: UInt32 = 0x0020_F0D3   // fadd.s f1, f1, f2 (rm = dyn)
    static let faddD: UInt32 = 0x0220_F0D3   // fadd.d f1, f1, f2 (rm = dyn)

    @Test func fsOffMakesEverythingIllegalAndWritesMakeItDirty() throws {
        let h = hart()
        #expect(h.mstatus & Mstatus.FS == 0)  // Off at reset
        #expect(cause { try h.executeFP(Self.faddD) } == .illegalInstruction)
        #expect(cause { try h.csrAccessAllowed(CSR.fcsr, write: false, raw: 0) } == .illegalInstruction)
        try h.csrWrite(CSR.mstatus, 1 << 13, raw: 0)  // FS = Initial
        #expect(try h.csrRead(CSR.mstatus, raw: 0) & Mstatus.SD == 0)
        h.f[1] = 1.0.bitPattern
        h.f[2] = 2.0.bitPattern
        try h.executeFP(Self.faddD)
        #expect(h.f[1] == 3.0.bitPattern)
        #expect(h.mstatus & Mstatus.FS == Mstatus.FS)  // Dirty
        #expect(try h.csrRead(CSR.mstatus, raw: 0) & Mstatus.SD != 0)
        #expect(try h.csrRead(CSR.sstatus, raw: 0) & Mstatus.SD != 0)
    }

    @Test func withoutFDFSIsReadOnlyZero() throws {
        let h = hart(fd: false)
        try h.csrWrite(CSR.mstatus, Mstatus.FS, raw: 0)
        #expect(h.mstatus & Mstatus.FS == 0)
        #expect(try h.csrRead(CSR.misa, raw: 0) & (MISA.bit("F") | MISA.bit("D")) == 0)
        #expect(cause { try h.executeFP(Self.faddD) } == .illegalInstruction)
        #expect(cause { _ = try h.csrRead(CSR.fcsr, raw: 0) } == .illegalInstruction)
    }

    @Test func vsstatusFSGatesVirtualModeWithAnIllegalInstruction() throws {
        let h = hart()
        try h.csrWrite(CSR.mstatus, Mstatus.FS, raw: 0)
        h.setPrivilege(.supervisor, virtual: true)
        #expect(cause { try h.executeFP(Self.faddD) } == .illegalInstruction)  // never virtual
        h.setPrivilege(.machine)
        try h.csrWrite(CSR.vsstatus, 1 << 13, raw: 0)
        try h.csrWrite(CSR.mstatus, 1 << 13, raw: 0)
        h.setPrivilege(.supervisor, virtual: true)
        h.f[1] = 1.0.bitPattern
        h.f[2] = 1.0.bitPattern
        try h.executeFP(Self.faddD)
        #expect(h.mstatus & Mstatus.FS == Mstatus.FS && h.vsstatus & Mstatus.FS == Mstatus.FS)
    }

    @Test func nanBoxingAndDynamicRounding() throws {
        let h = hart()
        try h.csrWrite(CSR.mstatus, Mstatus.FS, raw: 0)
        // A single operand that is not NaN-boxed reads as the canonical NaN.
        h.f[1] = 0x3F80_0000  // 1.0f without the box
        h.f[2] = 0xFFFF_FFFF_3F80_0000
        try h.executeFP(Self.faddS)
        #expect(h.f[1] == 0xFFFF_FFFF_7FC0_0000)
        #expect(try h.csrRead(CSR.fflags, raw: 0) == 0)  // a quiet NaN raises nothing
        // frm = 5 (reserved) with rm = DYN: illegal; a static mode still works.
        try h.csrWrite(CSR.frm, 5, raw: 0)
        #expect(cause { try h.executeFP(Self.faddS) } == .illegalInstruction)
        #expect(try h.csrRead(CSR.fcsr, raw: 0) == 5 << 5)
        h.f[1] = 0xFFFF_FFFF_3F80_0000
        try h.executeFP(Self.faddS & ~(7 << 12))  // rm = RNE
        #expect(h.f[1] == 0xFFFF_FFFF_4000_0000)  // 2.0f, boxed
    }

    @Test func compressedFPLoadsAndStoresDecode() {
        // c.fld f8, 8(x9) = 0x2480; c.fsd f9, 16(x8) = 0xA804; c.fldsp f1, 24(sp) = 0x20E2;
        // c.fsdsp f2, 32(sp) = 0xB00A.
        let fld = decode(0x2480), fsd = decode(0xA804), fldsp = decode(0x20E2), fsdsp = decode(0xB00A)
        #expect(fld.op == .cFld && fld.rs1 == 9 && fld.rs2 == 8 && fld.imm == 8)
        #expect(fsd.op == .cFsd && fsd.rs1 == 8 && fsd.rs2 == 9 && fsd.imm == 16)
        #expect(fldsp.op == .cFld && fldsp.rs1 == 2 && fldsp.rs2 == 1 && fldsp.imm == 24)
        #expect(fsdsp.op == .cFsd && fsdsp.rs1 == 2 && fsdsp.rs2 == 2 && fsdsp.imm == 32)
    }
}
