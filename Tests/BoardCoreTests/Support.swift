import Testing
@testable import BoardCore
import RISCV

/// mcause/scause bit 63: the trap is an interrupt.
let interruptBit: UInt64 = 1 << 63

// MARK: - Register names (Unpriv. §25 "RISC-V Assembly Programmer's Handbook", ABI names)

let zero = 0, ra = 1, sp = 2, gp = 3, tp = 4
let t0 = 5, t1 = 6, t2 = 7, s0 = 8, s1 = 9
let a0 = 10, a1 = 11, a2 = 12, a3 = 13, a4 = 14, a5 = 15, a6 = 16, a7 = 17
let s2 = 18, s3 = 19, s4 = 20, s5 = 21, s6 = 22, s7 = 23, s8 = 24, s9 = 25, s10 = 26, s11 = 27
let t3 = 28, t4 = 29, t5 = 30, t6 = 31

// MARK: - 32-bit instruction formats (Unpriv. §2.2 "Base Instruction Formats", §2.3 immediates)

private func field(_ v: Int, _ bits: Int) -> UInt32 { UInt32(truncatingIfNeeded: v) & ((1 << UInt32(bits)) - 1) }
private func bit(_ v: Int, _ n: Int) -> UInt32 { UInt32(truncatingIfNeeded: v >> n) & 1 }
private func span(_ v: Int, _ hi: Int, _ lo: Int) -> UInt32 { UInt32(truncatingIfNeeded: v >> lo) & ((1 << UInt32(hi - lo + 1)) - 1) }

func rType(_ opcode: UInt32, rd: Int, f3: UInt32, rs1: Int, rs2: Int, f7: UInt32) -> UInt32 {
    (f7 << 25) | (field(rs2, 5) << 20) | (field(rs1, 5) << 15) | (f3 << 12) | (field(rd, 5) << 7) | opcode
}
func iType(_ opcode: UInt32, rd: Int, f3: UInt32, rs1: Int, imm: Int) -> UInt32 {
    (field(imm, 12) << 20) | (field(rs1, 5) << 15) | (f3 << 12) | (field(rd, 5) << 7) | opcode
}
func sType(_ opcode: UInt32, f3: UInt32, rs1: Int, rs2: Int, imm: Int) -> UInt32 {
    (span(imm, 11, 5) << 25) | (field(rs2, 5) << 20) | (field(rs1, 5) << 15) | (f3 << 12) | (span(imm, 4, 0) << 7) | opcode
}
func bType(f3: UInt32, rs1: Int, rs2: Int, imm: Int) -> UInt32 {
    precondition(imm % 2 == 0 && imm >= -4096 && imm < 4096)
    return (bit(imm, 12) << 31) | (span(imm, 10, 5) << 25) | (field(rs2, 5) << 20) | (field(rs1, 5) << 15)
        | (f3 << 12) | (span(imm, 4, 1) << 8) | (bit(imm, 11) << 7) | 0x63
}
/// `imm20` is the value of the upper-immediate field (as the assembler writes it).
func uType(_ opcode: UInt32, rd: Int, imm20: Int) -> UInt32 {
    (field(imm20, 20) << 12) | (field(rd, 5) << 7) | opcode
}
func jType(rd: Int, imm: Int) -> UInt32 {
    precondition(imm % 2 == 0 && imm >= -(1 << 20) && imm < (1 << 20))
    return (bit(imm, 20) << 31) | (span(imm, 10, 1) << 21) | (bit(imm, 11) << 20) | (span(imm, 19, 12) << 12)
        | (field(rd, 5) << 7) | 0x6F
}

// MARK: RV64I (Unpriv. §2, §4)

func lui(_ rd: Int, _ imm20: Int) -> UInt32 { uType(0x37, rd: rd, imm20: imm20) }
func auipc(_ rd: Int, _ imm20: Int) -> UInt32 { uType(0x17, rd: rd, imm20: imm20) }
func jal(_ rd: Int, _ off: Int) -> UInt32 { jType(rd: rd, imm: off) }
func j(_ off: Int) -> UInt32 { jal(zero, off) }
func jalr(_ rd: Int, _ rs1: Int, _ off: Int = 0) -> UInt32 { iType(0x67, rd: rd, f3: 0, rs1: rs1, imm: off) }
func beq(_ rs1: Int, _ rs2: Int, _ off: Int) -> UInt32 { bType(f3: 0, rs1: rs1, rs2: rs2, imm: off) }
func bne(_ rs1: Int, _ rs2: Int, _ off: Int) -> UInt32 { bType(f3: 1, rs1: rs1, rs2: rs2, imm: off) }
func blt(_ rs1: Int, _ rs2: Int, _ off: Int) -> UInt32 { bType(f3: 4, rs1: rs1, rs2: rs2, imm: off) }
func bge(_ rs1: Int, _ rs2: Int, _ off: Int) -> UInt32 { bType(f3: 5, rs1: rs1, rs2: rs2, imm: off) }
func bltu(_ rs1: Int, _ rs2: Int, _ off: Int) -> UInt32 { bType(f3: 6, rs1: rs1, rs2: rs2, imm: off) }
func bgeu(_ rs1: Int, _ rs2: Int, _ off: Int) -> UInt32 { bType(f3: 7, rs1: rs1, rs2: rs2, imm: off) }
// Loads: `lw rd, off(rs1)` is `lw(rd, off, rs1)`.
func lb(_ rd: Int, _ off: Int, _ rs1: Int) -> UInt32 { iType(0x03, rd: rd, f3: 0, rs1: rs1, imm: off) }
func lh(_ rd: Int, _ off: Int, _ rs1: Int) -> UInt32 { iType(0x03, rd: rd, f3: 1, rs1: rs1, imm: off) }
func lw(_ rd: Int, _ off: Int, _ rs1: Int) -> UInt32 { iType(0x03, rd: rd, f3: 2, rs1: rs1, imm: off) }
func ld(_ rd: Int, _ off: Int, _ rs1: Int) -> UInt32 { iType(0x03, rd: rd, f3: 3, rs1: rs1, imm: off) }
func lbu(_ rd: Int, _ off: Int, _ rs1: Int) -> UInt32 { iType(0x03, rd: rd, f3: 4, rs1: rs1, imm: off) }
func lhu(_ rd: Int, _ off: Int, _ rs1: Int) -> UInt32 { iType(0x03, rd: rd, f3: 5, rs1: rs1, imm: off) }
func lwu(_ rd: Int, _ off: Int, _ rs1: Int) -> UInt32 { iType(0x03, rd: rd, f3: 6, rs1: rs1, imm: off) }
// Stores: `sw rs2, off(rs1)` is `sw(rs2, off, rs1)`.
func sb(_ rs2: Int, _ off: Int, _ rs1: Int) -> UInt32 { sType(0x23, f3: 0, rs1: rs1, rs2: rs2, imm: off) }
func sh(_ rs2: Int, _ off: Int, _ rs1: Int) -> UInt32 { sType(0x23, f3: 1, rs1: rs1, rs2: rs2, imm: off) }
func sw(_ rs2: Int, _ off: Int, _ rs1: Int) -> UInt32 { sType(0x23, f3: 2, rs1: rs1, rs2: rs2, imm: off) }
func sd(_ rs2: Int, _ off: Int, _ rs1: Int) -> UInt32 { sType(0x23, f3: 3, rs1: rs1, rs2: rs2, imm: off) }
func addi(_ rd: Int, _ rs1: Int, _ imm: Int) -> UInt32 { iType(0x13, rd: rd, f3: 0, rs1: rs1, imm: imm) }
func slti(_ rd: Int, _ rs1: Int, _ imm: Int) -> UInt32 { iType(0x13, rd: rd, f3: 2, rs1: rs1, imm: imm) }
func sltiu(_ rd: Int, _ rs1: Int, _ imm: Int) -> UInt32 { iType(0x13, rd: rd, f3: 3, rs1: rs1, imm: imm) }
func xori(_ rd: Int, _ rs1: Int, _ imm: Int) -> UInt32 { iType(0x13, rd: rd, f3: 4, rs1: rs1, imm: imm) }
func ori(_ rd: Int, _ rs1: Int, _ imm: Int) -> UInt32 { iType(0x13, rd: rd, f3: 6, rs1: rs1, imm: imm) }
func andi(_ rd: Int, _ rs1: Int, _ imm: Int) -> UInt32 { iType(0x13, rd: rd, f3: 7, rs1: rs1, imm: imm) }
func slli(_ rd: Int, _ rs1: Int, _ sh: Int) -> UInt32 { iType(0x13, rd: rd, f3: 1, rs1: rs1, imm: sh & 63) }
func srli(_ rd: Int, _ rs1: Int, _ sh: Int) -> UInt32 { iType(0x13, rd: rd, f3: 5, rs1: rs1, imm: sh & 63) }
func srai(_ rd: Int, _ rs1: Int, _ sh: Int) -> UInt32 { iType(0x13, rd: rd, f3: 5, rs1: rs1, imm: 0x400 | (sh & 63)) }
func add(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { rType(0x33, rd: rd, f3: 0, rs1: rs1, rs2: rs2, f7: 0) }
func sub(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { rType(0x33, rd: rd, f3: 0, rs1: rs1, rs2: rs2, f7: 0x20) }
func sll(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { rType(0x33, rd: rd, f3: 1, rs1: rs1, rs2: rs2, f7: 0) }
func slt(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { rType(0x33, rd: rd, f3: 2, rs1: rs1, rs2: rs2, f7: 0) }
func sltu(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { rType(0x33, rd: rd, f3: 3, rs1: rs1, rs2: rs2, f7: 0) }
func xor(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { rType(0x33, rd: rd, f3: 4, rs1: rs1, rs2: rs2, f7: 0) }
func srl(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { rType(0x33, rd: rd, f3: 5, rs1: rs1, rs2: rs2, f7: 0) }
func sra(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { rType(0x33, rd: rd, f3: 5, rs1: rs1, rs2: rs2, f7: 0x20) }
func or(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { rType(0x33, rd: rd, f3: 6, rs1: rs1, rs2: rs2, f7: 0) }
func and(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { rType(0x33, rd: rd, f3: 7, rs1: rs1, rs2: rs2, f7: 0) }
func addiw(_ rd: Int, _ rs1: Int, _ imm: Int) -> UInt32 { iType(0x1B, rd: rd, f3: 0, rs1: rs1, imm: imm) }
func slliw(_ rd: Int, _ rs1: Int, _ sh: Int) -> UInt32 { iType(0x1B, rd: rd, f3: 1, rs1: rs1, imm: sh & 31) }
func srliw(_ rd: Int, _ rs1: Int, _ sh: Int) -> UInt32 { iType(0x1B, rd: rd, f3: 5, rs1: rs1, imm: sh & 31) }
func sraiw(_ rd: Int, _ rs1: Int, _ sh: Int) -> UInt32 { iType(0x1B, rd: rd, f3: 5, rs1: rs1, imm: 0x400 | (sh & 31)) }
func addw(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { rType(0x3B, rd: rd, f3: 0, rs1: rs1, rs2: rs2, f7: 0) }
func subw(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { rType(0x3B, rd: rd, f3: 0, rs1: rs1, rs2: rs2, f7: 0x20) }
func sllw(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { rType(0x3B, rd: rd, f3: 1, rs1: rs1, rs2: rs2, f7: 0) }
func srlw(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { rType(0x3B, rd: rd, f3: 5, rs1: rs1, rs2: rs2, f7: 0) }
func sraw(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { rType(0x3B, rd: rd, f3: 5, rs1: rs1, rs2: rs2, f7: 0x20) }
let nop: UInt32 = 0x0000_0013  // addi x0, x0, 0

// MARK: M (Unpriv. §13)

private func mOp(_ f3: UInt32, _ rd: Int, _ rs1: Int, _ rs2: Int, w: Bool = false) -> UInt32 {
    rType(w ? 0x3B : 0x33, rd: rd, f3: f3, rs1: rs1, rs2: rs2, f7: 1)
}
func mul(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { mOp(0, rd, rs1, rs2) }
func mulh(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { mOp(1, rd, rs1, rs2) }
func mulhsu(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { mOp(2, rd, rs1, rs2) }
func mulhu(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { mOp(3, rd, rs1, rs2) }
func div(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { mOp(4, rd, rs1, rs2) }
func divu(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { mOp(5, rd, rs1, rs2) }
func rem(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { mOp(6, rd, rs1, rs2) }
func remu(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { mOp(7, rd, rs1, rs2) }
func mulw(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { mOp(0, rd, rs1, rs2, w: true) }
func divw(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { mOp(4, rd, rs1, rs2, w: true) }
func divuw(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { mOp(5, rd, rs1, rs2, w: true) }
func remw(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { mOp(6, rd, rs1, rs2, w: true) }
func remuw(_ rd: Int, _ rs1: Int, _ rs2: Int) -> UInt32 { mOp(7, rd, rs1, rs2, w: true) }

// MARK: A (Unpriv. §14): `amoadd.w rd, rs2, (rs1)` is `amo(.add, w, rd, rs2, rs1)`.

enum AMOFunc: UInt32, CaseIterable {
    case add = 0x00, swap = 0x01, lr = 0x02, sc = 0x03, xor = 0x04, or = 0x08, and = 0x0C
    case min = 0x10, max = 0x14, minu = 0x18, maxu = 0x1C
}
func amo(_ f: AMOFunc, wide: Bool, _ rd: Int, _ rs2: Int, _ rs1: Int, aq: Bool = false, rl: Bool = false) -> UInt32 {
    let f7 = (f.rawValue << 2) | (aq ? 2 : 0) | (rl ? 1 : 0)
    return rType(0x2F, rd: rd, f3: wide ? 3 : 2, rs1: rs1, rs2: rs2, f7: f7)
}
func lrW(_ rd: Int, _ rs1: Int) -> UInt32 { amo(.lr, wide: false, rd, 0, rs1) }
func lrD(_ rd: Int, _ rs1: Int) -> UInt32 { amo(.lr, wide: true, rd, 0, rs1) }
func scW(_ rd: Int, _ rs2: Int, _ rs1: Int) -> UInt32 { amo(.sc, wide: false, rd, rs2, rs1) }
func scD(_ rd: Int, _ rs2: Int, _ rs1: Int) -> UInt32 { amo(.sc, wide: true, rd, rs2, rs1) }

// MARK: System, Zicsr, Zifencei (Unpriv. §2.7–2.8, §6, §7; Priv. §3.3, §12.2.1)

func ecall() -> UInt32 { 0x0000_0073 }
func ebreak() -> UInt32 { 0x0010_0073 }
func mret() -> UInt32 { 0x3020_0073 }
func sret() -> UInt32 { 0x1020_0073 }
func wfi() -> UInt32 { 0x1050_0073 }
func sfenceVma(_ rs1: Int = 0, _ rs2: Int = 0) -> UInt32 { rType(0x73, rd: 0, f3: 0, rs1: rs1, rs2: rs2, f7: 0x09) }
func fence(pred: UInt32 = 0xF, succ: UInt32 = 0xF) -> UInt32 { (pred << 24) | (succ << 20) | 0x0F }
func fenceI() -> UInt32 { 0x0000_100F }
private func csrOp(_ f3: UInt32, _ rd: Int, _ csr: UInt16, _ rs1: Int) -> UInt32 {
    (UInt32(csr) << 20) | (field(rs1, 5) << 15) | (f3 << 12) | (field(rd, 5) << 7) | 0x73
}
func csrrw(_ rd: Int, _ csr: UInt16, _ rs1: Int) -> UInt32 { csrOp(1, rd, csr, rs1) }
func csrrs(_ rd: Int, _ csr: UInt16, _ rs1: Int) -> UInt32 { csrOp(2, rd, csr, rs1) }
func csrrc(_ rd: Int, _ csr: UInt16, _ rs1: Int) -> UInt32 { csrOp(3, rd, csr, rs1) }
func csrrwi(_ rd: Int, _ csr: UInt16, _ uimm: Int) -> UInt32 { csrOp(5, rd, csr, uimm) }
func csrrsi(_ rd: Int, _ csr: UInt16, _ uimm: Int) -> UInt32 { csrOp(6, rd, csr, uimm) }
func csrrci(_ rd: Int, _ csr: UInt16, _ uimm: Int) -> UInt32 { csrOp(7, rd, csr, uimm) }
func csrr(_ rd: Int, _ csr: UInt16) -> UInt32 { csrrs(rd, csr, zero) }
func csrw(_ csr: UInt16, _ rs1: Int) -> UInt32 { csrrw(zero, csr, rs1) }
func csrs(_ csr: UInt16, _ rs1: Int) -> UInt32 { csrrs(zero, csr, rs1) }
func csrc(_ csr: UInt16, _ rs1: Int) -> UInt32 { csrrc(zero, csr, rs1) }

/// `li rd, value` as the usual lui/addiw/slli/addi sequence (the LLVM materialisation).
func li(_ rd: Int, _ value: Int64) -> [UInt32] {
    if value >= Int64(Int32.min) && value <= Int64(Int32.max) {
        let lo = Int((value << 52) >> 52)           // sign-extended low 12 bits
        let hi = Int(((value - Int64(lo)) >> 12) & 0xFFFFF)
        if hi == 0 { return [addi(rd, zero, lo)] }
        return lo == 0 ? [lui(rd, hi)] : [lui(rd, hi), addiw(rd, rd, lo)]
    }
    let lo = Int((value << 52) >> 52)
    var hi = (value &- Int64(lo)) >> 12
    let shift = 12 + hi.trailingZeroBitCount
    hi >>= Int64(hi.trailingZeroBitCount)
    var seq = li(rd, hi)
    seq.append(slli(rd, rd, shift))
    if lo != 0 { seq.append(addi(rd, rd, lo)) }
    return seq
}
func li(_ rd: Int, _ value: UInt64) -> [UInt32] { li(rd, Int64(bitPattern: value)) }

// MARK: - RV64C (Unpriv. §28, "RVC Instruction Formats" and the instruction listings)

/// Compressed register number for x8–x15.
private func cr(_ r: Int) -> UInt16 {
    precondition(r >= 8 && r <= 15, "compressed register must be x8–x15")
    return UInt16(r - 8)
}
private func b16(_ v: Int, _ n: Int) -> UInt16 { UInt16(truncatingIfNeeded: v >> n) & 1 }
private func s16(_ v: Int, _ hi: Int, _ lo: Int) -> UInt16 { UInt16(truncatingIfNeeded: v >> lo) & ((1 << UInt16(hi - lo + 1)) - 1) }
private func r16(_ r: Int) -> UInt16 { UInt16(r & 31) }

/// CIW: c.addi4spn rd', sp, nzuimm — nzuimm[5:4|9:6|2|3] in bits 12:5.
func c_addi4spn(_ rd: Int, _ nzuimm: Int) -> UInt16 {
    (0 << 13) | (s16(nzuimm, 5, 4) << 11) | (s16(nzuimm, 9, 6) << 7) | (b16(nzuimm, 2) << 6) | (b16(nzuimm, 3) << 5) | (cr(rd) << 2) | 0
}
/// CL/CS word: uimm[5:3] in 12:10, uimm[2|6] in 6:5.
func c_lw(_ rd: Int, _ uimm: Int, _ rs1: Int) -> UInt16 {
    (2 << 13) | (s16(uimm, 5, 3) << 10) | (cr(rs1) << 7) | (b16(uimm, 2) << 6) | (b16(uimm, 6) << 5) | (cr(rd) << 2) | 0
}
func c_sw(_ rs2: Int, _ uimm: Int, _ rs1: Int) -> UInt16 {
    (6 << 13) | (s16(uimm, 5, 3) << 10) | (cr(rs1) << 7) | (b16(uimm, 2) << 6) | (b16(uimm, 6) << 5) | (cr(rs2) << 2) | 0
}
/// CL/CS doubleword: uimm[5:3] in 12:10, uimm[7:6] in 6:5.
func c_ld(_ rd: Int, _ uimm: Int, _ rs1: Int) -> UInt16 {
    (3 << 13) | (s16(uimm, 5, 3) << 10) | (cr(rs1) << 7) | (s16(uimm, 7, 6) << 5) | (cr(rd) << 2) | 0
}
func c_sd(_ rs2: Int, _ uimm: Int, _ rs1: Int) -> UInt16 {
    (7 << 13) | (s16(uimm, 5, 3) << 10) | (cr(rs1) << 7) | (s16(uimm, 7, 6) << 5) | (cr(rs2) << 2) | 0
}
/// CI with a 6-bit immediate: imm[5] in 12, imm[4:0] in 6:2.
private func ci(_ f3: UInt16, _ rd: Int, _ imm: Int, _ op: UInt16) -> UInt16 {
    (f3 << 13) | (b16(imm, 5) << 12) | (r16(rd) << 7) | (s16(imm, 4, 0) << 2) | op
}
func c_nop() -> UInt16 { ci(0, 0, 0, 1) }
func c_addi(_ rd: Int, _ imm: Int) -> UInt16 { ci(0, rd, imm, 1) }
func c_addiw(_ rd: Int, _ imm: Int) -> UInt16 { ci(1, rd, imm, 1) }
func c_li(_ rd: Int, _ imm: Int) -> UInt16 { ci(2, rd, imm, 1) }
/// c.addi16sp: nzimm[9] in 12, nzimm[4|6|8:7|5] in 6:2.
func c_addi16sp(_ nzimm: Int) -> UInt16 {
    (3 << 13) | (b16(nzimm, 9) << 12) | (2 << 7) | (b16(nzimm, 4) << 6) | (b16(nzimm, 6) << 5)
        | (s16(nzimm, 8, 7) << 3) | (b16(nzimm, 5) << 2) | 1
}
/// c.lui rd, imm6: `imm6` is nzimm[17:12] as the assembler writes it (a signed 6-bit value).
func c_lui(_ rd: Int, _ imm6: Int) -> UInt16 { ci(3, rd, imm6, 1) }
func c_srli(_ rd: Int, _ sh: Int) -> UInt16 { (4 << 13) | (b16(sh, 5) << 12) | (0 << 10) | (cr(rd) << 7) | (s16(sh, 4, 0) << 2) | 1 }
func c_srai(_ rd: Int, _ sh: Int) -> UInt16 { (4 << 13) | (b16(sh, 5) << 12) | (1 << 10) | (cr(rd) << 7) | (s16(sh, 4, 0) << 2) | 1 }
func c_andi(_ rd: Int, _ imm: Int) -> UInt16 { (4 << 13) | (b16(imm, 5) << 12) | (2 << 10) | (cr(rd) << 7) | (s16(imm, 4, 0) << 2) | 1 }
private func ca(_ b12: UInt16, _ f2: UInt16, _ rd: Int, _ rs2: Int) -> UInt16 {
    (4 << 13) | (b12 << 12) | (3 << 10) | (cr(rd) << 7) | (f2 << 5) | (cr(rs2) << 2) | 1
}
func c_sub(_ rd: Int, _ rs2: Int) -> UInt16 { ca(0, 0, rd, rs2) }
func c_xor(_ rd: Int, _ rs2: Int) -> UInt16 { ca(0, 1, rd, rs2) }
func c_or(_ rd: Int, _ rs2: Int) -> UInt16 { ca(0, 2, rd, rs2) }
func c_and(_ rd: Int, _ rs2: Int) -> UInt16 { ca(0, 3, rd, rs2) }
func c_subw(_ rd: Int, _ rs2: Int) -> UInt16 { ca(1, 0, rd, rs2) }
func c_addw(_ rd: Int, _ rs2: Int) -> UInt16 { ca(1, 1, rd, rs2) }
/// CJ: offset[11|4|9:8|10|6|7|3:1|5] in bits 12:2.
func c_j(_ off: Int) -> UInt16 {
    precondition(off % 2 == 0 && off >= -2048 && off < 2048)
    return (5 << 13) | (b16(off, 11) << 12) | (b16(off, 4) << 11) | (s16(off, 9, 8) << 9) | (b16(off, 10) << 8)
        | (b16(off, 6) << 7) | (b16(off, 7) << 6) | (s16(off, 3, 1) << 3) | (b16(off, 5) << 2) | 1
}
/// CB branch: offset[8|4:3] in 12:10, offset[7:6|2:1|5] in 6:2.
private func cb(_ f3: UInt16, _ rs1: Int, _ off: Int) -> UInt16 {
    precondition(off % 2 == 0 && off >= -256 && off < 256)
    return (f3 << 13) | (b16(off, 8) << 12) | (s16(off, 4, 3) << 10) | (cr(rs1) << 7) | (s16(off, 7, 6) << 5)
        | (s16(off, 2, 1) << 3) | (b16(off, 5) << 2) | 1
}
func c_beqz(_ rs1: Int, _ off: Int) -> UInt16 { cb(6, rs1, off) }
func c_bnez(_ rs1: Int, _ off: Int) -> UInt16 { cb(7, rs1, off) }
func c_slli(_ rd: Int, _ sh: Int) -> UInt16 { ci(0, rd, sh, 2) }
/// c.lwsp: uimm[5] in 12, uimm[4:2|7:6] in 6:2.
func c_lwsp(_ rd: Int, _ uimm: Int) -> UInt16 {
    (2 << 13) | (b16(uimm, 5) << 12) | (r16(rd) << 7) | (s16(uimm, 4, 2) << 4) | (s16(uimm, 7, 6) << 2) | 2
}
/// c.ldsp: uimm[5] in 12, uimm[4:3|8:6] in 6:2.
func c_ldsp(_ rd: Int, _ uimm: Int) -> UInt16 {
    (3 << 13) | (b16(uimm, 5) << 12) | (r16(rd) << 7) | (s16(uimm, 4, 3) << 5) | (s16(uimm, 8, 6) << 2) | 2
}
/// c.swsp: uimm[5:2|7:6] in 12:7.
func c_swsp(_ rs2: Int, _ uimm: Int) -> UInt16 {
    (6 << 13) | (s16(uimm, 5, 2) << 9) | (s16(uimm, 7, 6) << 7) | (r16(rs2) << 2) | 2
}
/// c.sdsp: uimm[5:3|8:6] in 12:7.
func c_sdsp(_ rs2: Int, _ uimm: Int) -> UInt16 {
    (7 << 13) | (s16(uimm, 5, 3) << 10) | (s16(uimm, 8, 6) << 7) | (r16(rs2) << 2) | 2
}
func c_jr(_ rs1: Int) -> UInt16 { (4 << 13) | (0 << 12) | (r16(rs1) << 7) | 2 }
func c_mv(_ rd: Int, _ rs2: Int) -> UInt16 { (4 << 13) | (0 << 12) | (r16(rd) << 7) | (r16(rs2) << 2) | 2 }
func c_ebreak() -> UInt16 { (4 << 13) | (1 << 12) | 2 }
func c_jalr(_ rs1: Int) -> UInt16 { (4 << 13) | (1 << 12) | (r16(rs1) << 7) | 2 }
func c_add(_ rd: Int, _ rs2: Int) -> UInt16 { (4 << 13) | (1 << 12) | (r16(rd) << 7) | (r16(rs2) << 2) | 2 }

// MARK: - Programs

/// One piece of a test program: a 32-bit or a 16-bit instruction.
enum Piece {
    case w(UInt32)
    case h(UInt16)
}

/// Little-endian bytes of 32-bit instruction words.
func bytes(_ words: [UInt32]) -> [UInt8] {
    words.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
}
func bytes(_ pieces: [Piece]) -> [UInt8] {
    var out: [UInt8] = []
    for p in pieces {
        switch p {
        case .w(let w): out += bytes([w])
        case .h(let h): out += [UInt8(truncatingIfNeeded: h), UInt8(truncatingIfNeeded: h >> 8)]
        }
    }
    return out
}
func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

// MARK: - A board for one test: bus + hart, programs in DRAM, traps parked on `j .`

final class TestBoard {
    static let base: UInt64 = 0x8000_0000
    /// M-mode trap handler: `j .` (mtvec points here unless a test changes it).
    static let mHandler: UInt64 = base + 0xF000
    /// S-mode trap handler: `j .`.
    static let sHandler: UInt64 = base + 0xF100
    /// A scratch data area (well away from code).
    static let data: UInt64 = base + 0x10_0000

    let bus: Bus
    let hart: Hart

    /// `specStrict`: the spec's behaviour where QEMU's virt departs from it (PLIC gateways).
    init(memory: UInt64 = 8 << 20, specStrict: Bool = false) {
        bus = Bus(memoryBytes: memory, uart: UART16550(outputFD: -1, inputFD: -1), specStrict: specStrict)
        hart = Hart(id: 0, bus: bus)
        hart.reset(pc: TestBoard.base)
        load([j(0)], at: TestBoard.mHandler)      // j .
        load([j(0)], at: TestBoard.sHandler)      // j .
        hart.mtvec = TestBoard.mHandler
        hart.stvec = TestBoard.sHandler
    }

    func load(_ words: [UInt32], at addr: UInt64 = TestBoard.base) { #expect(bus.writeMemory(addr, bytes(words))) }
    func load(_ pieces: [Piece], at addr: UInt64 = TestBoard.base) { #expect(bus.writeMemory(addr, bytes(pieces))) }
    func write64(_ addr: UInt64, _ v: UInt64) { bus.writeMemory(addr, le64(v)) }
    func write32(_ addr: UInt64, _ v: UInt32) { bus.writeMemory(addr, bytes([v])) }
    func read64(_ addr: UInt64) -> UInt64 { bus.read64(addr) ?? 0xDEAD_DEAD_DEAD_DEAD }
    func read32(_ addr: UInt64) -> UInt32 {
        let b = bus.readMemory(addr, count: 4) ?? [0, 0, 0, 0]
        return b.enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
    }
    func read8(_ addr: UInt64) -> UInt8 { bus.readMemory(addr, count: 1)?[0] ?? 0 }

    subscript(_ r: Int) -> UInt64 {
        get { hart.register(r) }
        set { hart.setRegister(r, newValue) }
    }

    /// Every access allowed to S and U: PMP entry 0 = NAPOT over the whole address space, RWX.
    func allowAllPMP() {
        try! hart.csrWrite(CSR.pmpaddr0, (1 << 54) - 1, raw: 0)
        try! hart.csrWrite(CSR.pmpcfg0, 0x1F, raw: 0)
    }

    /// Switches privilege directly (as if an xRET had happened) and gives S/U the whole memory.
    func enter(_ p: Privilege, pmp: Bool = true) {
        if pmp && p != .machine { allowAllPMP() }
        hart.setPrivilege(p)
    }

    /// One instruction (or one trap), as the board's `step()` does: single-step mode, then
    /// `run(until: cycles + 1)`.
    func step(interrupts: Bool = false) {
        if interrupts { hart.checkInterrupts() }
        hart.singleStep = true
        defer { hart.singleStep = false }
        hart.run(until: hart.cycles &+ 1)
    }

    /// Runs until the pc is one of `stops`, checking after every call of `run(until: cycles + 1)`.
    /// Block mode (the default) runs one straight-line block per call from the decoded pages,
    /// so stops must be block entries (the `j .` parking loops are); `stepping` runs one
    /// instruction per call instead. With `interrupts`, the run loop of the board is mimicked:
    /// interrupts are checked between calls, and WFI sleeps until the next timer event.
    /// Returns the pc reached, or nil after `maxCalls` (or when a WFI would sleep forever).
    @discardableResult
    func run(to stops: [UInt64], maxCalls: Int = 50_000, interrupts: Bool = false, stepping: Bool = false) -> UInt64? {
        hart.singleStep = stepping
        defer { hart.singleStep = false }
        for _ in 0..<maxCalls {
            if stops.contains(hart.pc) { return hart.pc }
            if hart.waitingForInterrupt {
                if hart.wakeUpPending { hart.resume() }
                else if let t = hart.nextWakeUpCycle() { hart.sleep(until: t) }
                else { return nil }
                continue
            }
            if interrupts { hart.checkInterrupts() }
            hart.run(until: hart.cycles &+ 1)
        }
        return stops.contains(hart.pc) ? hart.pc : nil
    }

    /// Loads `words` at `at` followed by `j .`, runs from `at` until that `j .` or a trap handler.
    /// Returns the stop pc. In block mode the final `j .` may have run once (when it shares a
    /// block with the instructions before it).
    @discardableResult
    func runProgram(_ words: [UInt32], at: UInt64 = TestBoard.base, stops: [UInt64] = [], interrupts: Bool = false,
                    stepping: Bool = false) -> UInt64? {
        load(words + [j(0)], at: at)
        hart.pc = at
        let end = at + UInt64(4 * words.count)
        return run(to: [end, TestBoard.mHandler, TestBoard.sHandler] + stops, interrupts: interrupts, stepping: stepping)
    }

    /// Same with 16/32-bit pieces.
    @discardableResult
    func runProgram(_ pieces: [Piece], at: UInt64 = TestBoard.base, stepping: Bool = false) -> UInt64? {
        let code = bytes(pieces)
        #expect(bus.writeMemory(at, code + bytes([j(0)])))
        hart.pc = at
        return run(to: [at + UInt64(code.count), TestBoard.mHandler, TestBoard.sHandler], stepping: stepping)
    }

    /// Address of the `j .` that `runProgram` appends.
    static func end(of words: [UInt32], at: UInt64 = base) -> UInt64 { at + UInt64(4 * words.count) }

    func csr(_ n: UInt16) -> UInt64 { (try? hart.csrRead(n, raw: 0)) ?? 0xBAD }
}
