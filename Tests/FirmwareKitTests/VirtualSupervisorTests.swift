import FirmwareKit
import Testing

/// The trap-and-emulate VMM's virtual S-mode (issue 17 item 1, `VirtualSupervisor`):
/// expectations from the privileged spec (../shared/specs), Priv. §12.1 and §3.1.9.
@Suite struct VirtualSupervisorTests {
    typealias VS = VirtualSupervisor
    typealias N = VirtualSupervisor.CSRNumber

    /// csrrw/csrrs/csrrc(i) encodings (Unpriv. "Zicsr").
    static func csr(_ f3: UInt32, rd: UInt32, rs1: UInt32, _ number: UInt16) -> UInt32 {
        (UInt32(number) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | 0x73
    }

    @Test func decodesTheInstructionsItEmulates() {
        #expect(VS.decode(0x1020_0073) == .sret)
        #expect(VS.decode(0x1050_0073) == .wfi)
        #expect(VS.decode(0x1200_0073) == .sfenceVMA(rs1: 0, rs2: 0))
        #expect(VS.decode(0x12B5_0073) == .sfenceVMA(rs1: 10, rs2: 11))      // sfence.vma a0, a1
        #expect(VS.decode(Self.csr(2, rd: 10, rs1: 0, N.sstatus)) == .csr(function: 2, rd: 10, source: 0, immediate: false, csr: N.sstatus))
        #expect(VS.decode(Self.csr(5, rd: 0, rs1: 7, N.sie)) == .csr(function: 1, rd: 0, source: 7, immediate: true, csr: N.sie))
        #expect(VS.decode(0x3020_0073) == nil)                               // mret: the guest's own illegal instruction
        #expect(VS.decode(0x0000_0073) == nil)                               // ecall: not an illegal-instruction case
        #expect(VS.decode(0x0000_0013) == nil)                               // nop
        #expect(VS.decode(Self.csr(4, rd: 1, rs1: 1, N.sstatus)) == nil)     // funct3 4 is not a CSR op
    }

    @Test func csrWritesFollowTheirWARLRules() {
        var s = VS()
        let r1 = s.write(N.sstatus, UInt64.max)
        #expect(r1)
        // Only SIE, SPIE, SPP, FS, SUM, MXR stick; UXL reads 2; SD follows FS = Dirty.
        #expect(s.read(N.sstatus) == VS.sstatusWritable | VS.UXL64 | VS.SD)
        // FS on (Initial or Clean) reads Dirty: the VMM cannot see the guest's FP writes.
        let fsClean = s.write(N.sstatus, 2 << 13)
        #expect(fsClean && s.read(N.sstatus) == VS.FS | VS.SD | VS.UXL64)
        let fsOff = s.write(N.sstatus, VS.SIE)
        #expect(fsOff && s.read(N.sstatus) == VS.SIE | VS.UXL64, "Off stays Off, without SD")
        _ = s.write(N.sstatus, UInt64.max)
        let r2 = s.write(N.sie, UInt64.max)
        #expect(r2 && s.read(N.sie) == VS.SSIP | VS.STIP | VS.SEIP)
        s.sip = VS.STIP | VS.SEIP
        let r3 = s.write(N.sip, 0)
        #expect(r3 && s.read(N.sip) == VS.STIP | VS.SEIP, "STIP and SEIP are read-only to the guest")
        let r4 = s.write(N.sip, VS.SSIP)
        #expect(r4 && s.read(N.sip) == VS.SSIP | VS.STIP | VS.SEIP)
        let r5 = s.write(N.stvec, 0x8020_0101)
        #expect(r5 && s.read(N.stvec) == 0x8020_0101)      // vectored
        let r6 = s.write(N.stvec, 0x8020_0203)
        #expect(r6 && s.read(N.stvec) == 0x8020_0201, "reserved MODE 3 keeps the old MODE")
        let r7 = s.write(N.sepc, 0x8020_0003)
        #expect(r7 && s.read(N.sepc) == 0x8020_0002)
        let r8 = s.write(N.scounteren, UInt64.max)
        #expect(r8 && s.read(N.scounteren) == 7)
        let r9 = s.write(N.satp, (UInt64(8) << 60) | 0x80400)
        #expect(r9 && s.read(N.satp) == (UInt64(8) << 60) | 0x80400)
        let r10 = s.write(N.satp, (UInt64(9) << 60) | 0x12345)
        #expect(r10, "Sv48 is not shadowed: the write has no effect and no trap")
        #expect(s.read(N.satp) == (UInt64(8) << 60) | 0x80400)
        let r11 = s.write(N.satp, (UInt64(8) << 60) | (0xABCD << 44) | 0x80400)
        #expect(r11 && s.read(N.satp) == (UInt64(8) << 60) | (0xABCD << 44) | 0x80400, "ASIDLEN 16: the ASID is kept")
        let r12 = s.write(0x300, 1)
        #expect(!r12 && s.read(0x300) == nil, "mstatus is no S CSR")
        #expect(s.read(0xC00) == nil, "cycle is the hardware's, not the model's")
    }

    @Test func csrInstructionsReadModifyWrite() {
        var s = VS()
        s.sscratch = 0xF0
        let r13 = s.execute(function: 2, csr: N.sscratch, operand: 0x0F, writes: true)
        #expect(r13 == 0xF0)   // csrrs
        #expect(s.sscratch == 0xFF)
        let r14 = s.execute(function: 3, csr: N.sscratch, operand: 0xF0, writes: true)
        #expect(r14 == 0xFF)   // csrrc
        #expect(s.sscratch == 0x0F)
        let r15 = s.execute(function: 2, csr: N.sscratch, operand: 0xFF, writes: false)
        #expect(r15 == 0x0F, "csrrs with x0 does not write")
        #expect(s.sscratch == 0x0F)
        let r16 = s.execute(function: 1, csr: N.sscratch, operand: 7, writes: false)
        #expect(r16 == 0x0F, "csrrw always writes")
        #expect(s.sscratch == 7)
        // In its U-mode every S CSR is an illegal instruction for the guest.
        s.privilege = 0
        let r17 = s.execute(function: 2, csr: N.sstatus, operand: 0, writes: false)
        #expect(r17 == nil)
        let r18 = s.write(N.stvec, 0)
        #expect(!r18)
    }

    @Test func trapsAndSretMoveThePrivilegeAndInterruptEnables() {
        var s = VS()
        s.stvec = 0x8020_0000
        s.sstatus = VS.SIE
        // From its kernel: SPP = S, SPIE = SIE, SIE = 0.
        var pc = s.takeTrap(cause: 8, tval: 0, pc: 0x8020_1000)
        #expect(pc == 0x8020_0000 && s.sepc == 0x8020_1000 && s.scause == 8)
        #expect(s.sstatus & (VS.SPP | VS.SPIE | VS.SIE) == VS.SPP | VS.SPIE && s.privilege == 1)
        // SRET back: SIE = SPIE, SPIE = 1, SPP = U, privilege = the old SPP.
        let r19 = s.sret()
        #expect(r19 == 0x8020_1000)
        #expect(s.privilege == 1 && s.sstatus & (VS.SPP | VS.SPIE | VS.SIE) == VS.SPIE | VS.SIE)
        // A return to its U-mode, then a trap from there: SPP = U.
        s.sepc = 0x1_0000
        let r20 = s.sret()
        #expect(r20 == 0x1_0000 && s.privilege == 0)
        let r21 = s.sret()
        #expect(r21 == nil, "SRET in U-mode is an illegal instruction")
        pc = s.takeTrap(cause: 13, tval: 0xdead, pc: 0x1_0004)
        #expect(pc == 0x8020_0000 && s.privilege == 1 && s.sstatus & VS.SPP == 0 && s.stval == 0xdead)
        // Vectored mode: interrupts go to base + 4 × cause, exceptions to base.
        s.stvec = 0x8020_0001
        let r22 = s.takeTrap(cause: (UInt64(1) << 63) | 5, tval: 0, pc: 0x8020_2000)
        #expect(r22 == 0x8020_0014)
        let r23 = s.takeTrap(cause: 2, tval: 0, pc: 0x8020_2000)
        #expect(r23 == 0x8020_0000)
    }

    @Test func interruptsFollowEnablesAndPriority() {
        var s = VS()
        s.sip |= VS.STIP                 // the VMM raises it (firmware/core/Timers.swift)
        #expect(s.pendingInterrupt() == nil, "STIE clear")
        s.sie = VS.STIP | VS.SSIP | VS.SEIP
        #expect(s.pendingInterrupt() == nil, "its kernel runs with SIE clear")
        s.sstatus = VS.SIE
        #expect(s.pendingInterrupt() == (UInt64(1) << 63) | 5)
        s.sip |= VS.SSIP
        #expect(s.pendingInterrupt() == (UInt64(1) << 63) | 1, "SSI before STI")
        s.sip |= VS.SEIP
        #expect(s.pendingInterrupt() == (UInt64(1) << 63) | 9, "SEI first")
        // In its U-mode, enabled interrupts are taken whatever SIE says.
        s.sstatus = 0
        s.privilege = 0
        #expect(s.pendingInterrupt() == (UInt64(1) << 63) | 9)
    }
}
