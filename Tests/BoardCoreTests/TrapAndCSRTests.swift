import Testing
@testable import BoardCore
import RISCV

private let intr: UInt64 = 1 << 63

/// The trap state after a run that ended in the M-mode handler.
private func expectMTrap(_ b: TestBoard, _ cause: UInt64, tval: UInt64? = nil, epc: UInt64? = nil, from: Privilege = .machine,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(b.hart.pc == TestBoard.mHandler, "trap taken to mtvec", sourceLocation: sourceLocation)
    #expect(b.hart.priv == .machine, sourceLocation: sourceLocation)
    #expect(b.hart.mcause == cause, "mcause \(hex(b.hart.mcause)), want \(hex(cause))", sourceLocation: sourceLocation)
    if let tval { #expect(b.hart.mtval == tval, "mtval \(hex(b.hart.mtval)), want \(hex(tval))", sourceLocation: sourceLocation) }
    if let epc { #expect(b.hart.mepc == epc, "mepc \(hex(b.hart.mepc)), want \(hex(epc))", sourceLocation: sourceLocation) }
    #expect((b.hart.mstatus >> 11) & 3 == UInt64(from.rawValue), "MPP = previous privilege", sourceLocation: sourceLocation)
}

/// Runs `words` in privilege `p` on a fresh board (PMP open for S/U) and reports whether the
/// first instruction raised illegal-instruction with its bits in mtval.
private func isIllegal(in p: Privilege, _ words: [UInt32], setup: (TestBoard) -> Void = { _ in }) -> Bool {
    let b = TestBoard()
    b.enter(p)
    setup(b)
    b.runProgram(words)
    return b.hart.pc == TestBoard.mHandler && b.hart.mcause == Cause.illegalInstruction.rawValue
        && b.hart.mtval == UInt64(words[0]) && b.hart.mepc == TestBoard.base
}

@Suite("Traps (Priv. §3.1.15–3.1.16, §3.3)")
struct TrapTests {
    @Test func illegalInstructionReportsTheBits() {
        let b = TestBoard()
        b.hart.mstatus |= Mstatus.MIE
        b.runProgram([
            addi(a0, zero, 1),           // addi a0, x0, 1
            0x0005_3507,                 // fld fa0, 0(a0): D absent
        ])
        expectMTrap(b, 2, tval: 0x0005_3507, epc: TestBoard.base + 4)
        #expect(b[a0] == 1)
        #expect(b.hart.mstatus & Mstatus.MIE == 0 && b.hart.mstatus & Mstatus.MPIE != 0, "MIE stacked into MPIE")
        #expect(b.hart.instret == 1, "the faulting instruction does not retire")

        // A compressed illegal instruction: only its 16 bits, not the next halfword.
        let c = TestBoard()
        c.runProgram([.h(c_nop()), .h(0x2108), .h(c_nop()), .h(c_nop())])  // c.nop; c.fld fa0, 0(a0); c.nop; c.nop
        expectMTrap(c, 2, tval: 0x2108, epc: TestBoard.base + 2)
        // The all-zero halfword (defined illegal).
        let z = TestBoard()
        z.runProgram([.h(0x0000), .h(c_nop())])                          // (0x0000); c.nop
        expectMTrap(z, 2, tval: 0, epc: TestBoard.base)
        // An unimplemented CSR.
        let u = TestBoard()
        u.runProgram([csrr(a0, 0x7C0)])                                   // csrr a0, 0x7c0 (custom, absent)
        expectMTrap(u, 2, tval: UInt64(csrr(a0, 0x7C0)), epc: TestBoard.base)
    }

    @Test func ecallCausePerPrivilege() {
        for (p, cause) in [(Privilege.user, UInt64(8)), (.supervisor, 9), (.machine, 11)] {
            let b = TestBoard()
            b.enter(p)
            b.runProgram([nop, ecall()])   // nop; ecall
            expectMTrap(b, cause, tval: 0, epc: TestBoard.base + 4, from: p)
            #expect(b.hart.instret == 1, "ecall does not retire")
        }
    }

    @Test func ebreakCause() {
        let b = TestBoard()
        b.runProgram([nop, ebreak()])      // nop; ebreak
        expectMTrap(b, 3, epc: TestBoard.base + 4)
        #expect([0, TestBoard.base + 4].contains(b.hart.mtval), "mtval is 0 or the pc")
        let c = TestBoard()
        c.runProgram([.h(c_nop()), .h(c_ebreak())])   // c.nop; c.ebreak
        expectMTrap(c, 3, epc: TestBoard.base + 2)
    }

    @Test func accessFaultsOnUnmappedMemory() {
        let hole: UInt64 = 0x4000_0000   // nothing on the bus here
        let b = TestBoard()
        b[a0] = hole + 8
        b.runProgram([lw(t0, -8, a0)])   // lw t0, -8(a0)
        expectMTrap(b, 5, tval: hole, epc: TestBoard.base)

        let s = TestBoard()
        s[a0] = hole
        s.runProgram([nop, sd(a0, 16, a0)])   // nop; sd a0, 16(a0)
        expectMTrap(s, 7, tval: hole + 16, epc: TestBoard.base + 4)

        let r = TestBoard()
        r[a0] = VirtMap.bootROM
        r.runProgram([sw(a0, 0, a0)])    // sw a0, 0(a0): the boot ROM is not writable
        expectMTrap(r, 7, tval: VirtMap.bootROM)

        let e = TestBoard()
        let end = TestBoard.base + e.bus.dramSize
        e[a0] = end - 4
        e.runProgram([ld(t0, 0, a0)])    // ld t0, 0(a0): 4 bytes past the end of DRAM
        expectMTrap(e, 5, epc: TestBoard.base)
        #expect([end - 4, end].contains(e.hart.mtval))

        let f = TestBoard()
        f[a0] = hole
        f.runProgram([jalr(ra, a0)])     // jalr ra, 0(a0)
        expectMTrap(f, 1, tval: hole, epc: hole)
        #expect(f[ra] == TestBoard.base + 4, "the jump itself retired")

        let z = TestBoard()
        z.runProgram([jalr(zero, zero)]) // jalr x0, 0(x0): fetch from address 0
        expectMTrap(z, 1, tval: 0, epc: 0)
    }

    @Test func vectoredMtvecOnlyForInterrupts() {
        let b = TestBoard()
        let vec = TestBoard.base + 0xE000
        b.load((0..<16).map { _ in j(0) }, at: vec)
        b.hart.mtvec = 0
        b.runProgram([
            li(t0, vec | 1),             // t0 = vec | MODE 1 (vectored)
            [csrw(CSR.mtvec, t0)],       // csrw mtvec, t0
            [ecall()],                   // ecall: an exception goes to BASE
        ].flatMap { $0 }, stops: [vec])
        #expect(b.hart.mtvec == vec | 1)
        #expect(b.hart.pc == vec && b.hart.mcause == 11)

        // A machine software interrupt goes to BASE + 4 × 3.
        b.hart.mie = Interrupt.MSIP
        b.hart.mstatus |= Mstatus.MIE
        b.bus.clint.msip[0] = true
        #expect(b.hart.checkInterrupts())
        #expect(b.hart.pc == vec + 4 * 3)
        #expect(b.hart.mcause == intr | 3)
        #expect(b.hart.mepc == vec, "epc is the instruction that had not run yet")

        // A timer interrupt to BASE + 4 × 7, a supervisor software interrupt to BASE + 4 × 1.
        b.bus.clint.msip[0] = false
        b.hart.mstatus |= Mstatus.MIE
        b.hart.mie = Interrupt.MTIP | Interrupt.SSIP
        b.bus.clint.mtimecmp[0] = 0
        #expect(b.hart.checkInterrupts())
        #expect(b.hart.pc == vec + 4 * 7)
        b.bus.clint.mtimecmp[0] = .max
        b.hart.mipSoftware = Interrupt.SSIP
        b.hart.mstatus |= Mstatus.MIE
        #expect(b.hart.checkInterrupts())
        #expect(b.hart.pc == vec + 4 * 1 && b.hart.mcause == intr | 1)
    }

    @Test func vectoredStvecForDelegatedInterrupts() {
        let b = TestBoard()
        let vec = TestBoard.base + 0xE000
        b.load((0..<16).map { _ in j(0) }, at: vec)
        try! b.hart.csrWrite(CSR.stvec, vec | 1, raw: 0)
        b.hart.mideleg = Interrupt.supervisorMask
        b.hart.medeleg = 1 << 8
        b.hart.mie = Interrupt.supervisorMask
        b.hart.mipSoftware = Interrupt.STIP
        b.enter(.user)
        #expect(b.hart.checkInterrupts())
        #expect(b.hart.pc == vec + 4 * 5 && b.hart.scause == intr | 5)
        // A delegated exception uses BASE.
        b.hart.mipSoftware = 0
        b.enter(.user)
        b.runProgram([ecall()], stops: [vec])
        #expect(b.hart.pc == vec && b.hart.scause == 8)
    }

    @Test func wfiWakesOnALocallyEnabledInterruptEvenWhenGloballyDisabled() {
        // Priv. §3.3.3: WFI resumes when an interrupt is pending in mie & mip, whatever MIE;
        // with MIE = 0 no trap is taken and execution continues after the WFI.
        let b = TestBoard()
        b.hart.mie = Interrupt.MTIP
        b.bus.clint.mtimecmp[0] = 30
        let words = [wfi(), addi(a0, zero, 1)]
        #expect(b.runProgram(words, interrupts: true) == TestBoard.end(of: words))
        #expect(b[a0] == 1)
        #expect(b.hart.cycles >= 3_000 && b.hart.cycles < 3_100, "slept until mtime = 30")
        #expect(b.hart.stats.interrupts.reduce(0, +) == 0)
    }

    @Test func mretRestoresThePrivilegeStack() {
        let target = TestBoard.base + 0x800
        for (mpp, newPriv) in [(UInt64(0), Privilege.user), (1, .supervisor), (3, .machine)] {
            let b = TestBoard()
            b.allowAllPMP()
            b.load([j(0)], at: target)
            b.hart.mepc = target
            b.hart.mstatus = (b.hart.mstatus & ~(Mstatus.MPP | Mstatus.MIE)) | (mpp << 11) | Mstatus.MPIE | Mstatus.MPRV
            b.runProgram([mret()], stops: [target])   // mret
            #expect(b.hart.pc == target)
            #expect(b.hart.priv == newPriv)
            let s = b.hart.mstatus
            #expect(s & Mstatus.MIE != 0, "MIE = MPIE")
            #expect(s & Mstatus.MPIE != 0, "MPIE = 1")
            #expect(s & Mstatus.MPP == 0, "MPP = U (least-privileged mode)")
            #expect((s & Mstatus.MPRV != 0) == (mpp == 3), "MPRV cleared unless returning to M")
        }
        // MPIE = 0 → MIE = 0 after MRET.
        let b = TestBoard()
        b.hart.mepc = target
        b.load([j(0)], at: target)
        b.hart.mstatus = (b.hart.mstatus | Mstatus.MIE | Mstatus.MPP) & ~Mstatus.MPIE
        b.runProgram([mret()], stops: [target])
        #expect(b.hart.mstatus & Mstatus.MIE == 0 && b.hart.mstatus & Mstatus.MPIE != 0)
    }

    @Test func sretRestoresTheSupervisorStack() {
        let target = TestBoard.base + 0x800
        for (spp, from) in [(true, Privilege.supervisor), (false, .supervisor), (true, .machine)] {
            let b = TestBoard()
            b.load([j(0)], at: target)
            b.enter(from)
            b.hart.sepc = target
            b.hart.mstatus = (b.hart.mstatus & ~Mstatus.SIE) | Mstatus.SPIE | (spp ? Mstatus.SPP : 0) | Mstatus.MPRV
            b.runProgram([sret()], stops: [target])   // sret
            #expect(b.hart.pc == target)
            #expect(b.hart.priv == (spp ? .supervisor : .user))
            let s = b.hart.mstatus
            #expect(s & Mstatus.SIE != 0, "SIE = SPIE")
            #expect(s & Mstatus.SPIE != 0, "SPIE = 1")
            #expect(s & Mstatus.SPP == 0, "SPP = U")
            #expect(s & Mstatus.MPRV == 0, "SRET never returns to M: MPRV = 0")
        }
    }

    @Test func xretPrivilegeRules() {
        #expect(isIllegal(in: .supervisor, [mret()]), "mret in S")
        #expect(isIllegal(in: .user, [mret()]), "mret in U")
        #expect(isIllegal(in: .user, [sret()]), "sret in U")
        #expect(isIllegal(in: .supervisor, [sret()]) { $0.hart.mstatus |= Mstatus.TSR }, "sret in S with TSR")
        #expect(!isIllegal(in: .supervisor, [sret()]), "sret in S without TSR")
        #expect(!isIllegal(in: .machine, [sret()]) { $0.hart.mstatus |= Mstatus.TSR }, "TSR does not affect M")
    }

    @Test func exceptionDelegationToS() {
        // ecall from U, delegated: taken in S with scause/sepc/stval, SPP = U, SIE stacked.
        let b = TestBoard()
        b.hart.medeleg = 1 << 8
        b.hart.mcause = 0x1234
        b.enter(.user)
        b.hart.mstatus |= Mstatus.SIE | Mstatus.SPP
        b.runProgram([nop, ecall()])
        #expect(b.hart.pc == TestBoard.sHandler)
        #expect(b.hart.priv == .supervisor)
        #expect(b.hart.scause == 8 && b.hart.sepc == TestBoard.base + 4 && b.hart.stval == 0)
        #expect(b.hart.mcause == 0x1234, "M-mode trap state untouched")
        #expect(b.hart.mstatus & Mstatus.SPP == 0, "SPP = U")
        #expect(b.hart.mstatus & Mstatus.SPIE != 0 && b.hart.mstatus & Mstatus.SIE == 0)

        // ecall from S delegated: SPP = S.
        let s = TestBoard()
        s.hart.medeleg = 1 << 9
        s.enter(.supervisor)
        s.runProgram([ecall()])
        #expect(s.hart.pc == TestBoard.sHandler && s.hart.scause == 9 && s.hart.mstatus & Mstatus.SPP != 0)

        // Illegal instruction in U delegated: stval = the bits.
        let i = TestBoard()
        i.hart.medeleg = 1 << 2
        i.enter(.user)
        i.runProgram([csrr(a0, CSR.mstatus)])  // csrr a0, mstatus (M-level CSR from U)
        #expect(i.hart.pc == TestBoard.sHandler && i.hart.scause == 2 && i.hart.stval == UInt64(csrr(a0, CSR.mstatus)))

        // Traps from M are never delegated.
        let m = TestBoard()
        try! m.hart.csrWrite(CSR.medeleg, .max, raw: 0)
        m.runProgram([ecall()])
        expectMTrap(m, 11)
        m.runProgram([0xFFFF_FFFF])
        expectMTrap(m, 2, tval: 0xFFFF_FFFF)
        #expect(m.hart.scause == 0)

        // Not delegated: S-mode exception goes to M even with other bits delegated.
        let n = TestBoard()
        n.hart.medeleg = 1 << 8
        n.enter(.supervisor)
        n.runProgram([ecall()])
        expectMTrap(n, 9, from: .supervisor)
    }

    @Test func interruptEnableRules() {
        // M-mode: MIE gates M-level interrupts.
        let b = TestBoard()
        b.hart.mie = Interrupt.MSIP
        b.bus.clint.msip[0] = true
        #expect(!b.hart.checkInterrupts(), "MIE = 0 in M: not taken")
        b.hart.mstatus |= Mstatus.MIE
        b.hart.mie = 0
        #expect(!b.hart.checkInterrupts(), "mie.MSIE = 0: not taken")
        b.hart.mie = Interrupt.MSIP
        #expect(b.hart.checkInterrupts())
        #expect(b.hart.mcause == intr | 3 && b.hart.mstatus & Mstatus.MIE == 0 && b.hart.mstatus & Mstatus.MPIE != 0)

        // S and U: M-level interrupts are taken whatever MIE says.
        for p in [Privilege.supervisor, .user] {
            let c = TestBoard()
            c.enter(p)
            c.hart.mie = Interrupt.MSIP
            c.bus.clint.msip[0] = true
            #expect(c.hart.checkInterrupts(), "M-level interrupt in \(p.letter) with MIE = 0")
            #expect(c.hart.priv == .machine && (c.hart.mstatus >> 11) & 3 == UInt64(p.rawValue))
        }

        // Delegated S-level interrupts: never in M; in S only with SIE; in U always.
        let d = TestBoard()
        d.hart.mideleg = Interrupt.SSIP
        d.hart.mie = Interrupt.SSIP
        d.hart.mipSoftware = Interrupt.SSIP
        d.hart.mstatus |= Mstatus.MIE | Mstatus.SIE
        #expect(!d.hart.checkInterrupts(), "delegated SSI is not taken in M")
        d.enter(.supervisor)
        d.hart.mstatus &= ~Mstatus.SIE
        #expect(!d.hart.checkInterrupts(), "delegated SSI in S with SIE = 0")
        d.hart.mstatus |= Mstatus.SIE
        d.hart.pc = TestBoard.base + 0x40
        #expect(d.hart.checkInterrupts())
        #expect(d.hart.priv == .supervisor && d.hart.pc == TestBoard.sHandler)
        #expect(d.hart.scause == intr | 1 && d.hart.sepc == TestBoard.base + 0x40)
        #expect(d.hart.mstatus & Mstatus.SPP != 0 && d.hart.mstatus & Mstatus.SPIE != 0 && d.hart.mstatus & Mstatus.SIE == 0)
        let u = TestBoard()
        u.hart.mideleg = Interrupt.STIP
        u.hart.mie = Interrupt.STIP
        u.hart.mipSoftware = Interrupt.STIP
        u.enter(.user)
        #expect(u.hart.checkInterrupts(), "delegated STI in U with SIE = 0")
        #expect(u.hart.priv == .supervisor && u.hart.scause == intr | 5 && u.hart.mstatus & Mstatus.SPP == 0)

        // Not delegated S-level interrupt (SEI) while in S with MIE = 0: goes to M.
        let e = TestBoard()
        e.hart.mie = Interrupt.SEIP
        e.hart.mipSoftware = Interrupt.SEIP
        e.enter(.supervisor)
        #expect(e.hart.checkInterrupts())
        #expect(e.hart.priv == .machine && e.hart.mcause == intr | 9)
    }

    @Test func interruptPriority() {
        // All pending and enabled in M with MIE = 1: MSI, MTI, SEI, SSI, STI (no MEI source yet).
        let b = TestBoard()
        b.hart.mie = Hart.mieWritable
        b.hart.mipSoftware = Interrupt.SEIP | Interrupt.SSIP | Interrupt.STIP
        b.bus.clint.msip[0] = true
        b.bus.clint.mtimecmp[0] = 0
        var order: [UInt64] = []
        for _ in 0..<5 {
            b.hart.mstatus |= Mstatus.MIE
            #expect(b.hart.checkInterrupts())
            let code = b.hart.mcause & 63
            order.append(code)
            b.hart.mie &= ~(1 << code)        // the handler masks what it served
        }
        #expect(order == [3, 7, 9, 1, 5])
        #expect(Interrupt.priorityOrder == [11, 3, 7, 9, 1, 5, 12, 10, 2, 6])  // then SGEI, VSEI, VSSI, VSTI (H)

        // In S with both a delegated (SSI) and an M-level (MTI) interrupt: M-level first.
        let c = TestBoard()
        c.hart.mideleg = Interrupt.SSIP | Interrupt.STIP
        c.hart.mie = Interrupt.SSIP | Interrupt.MTIP
        c.hart.mipSoftware = Interrupt.SSIP
        c.bus.clint.mtimecmp[0] = 0
        c.enter(.supervisor)
        c.hart.mstatus |= Mstatus.SIE
        #expect(c.hart.checkInterrupts())
        #expect(c.hart.priv == .machine && c.hart.mcause == intr | 7)

        // Among delegated ones in S: SEI before SSI before STI.
        let d = TestBoard()
        d.hart.mideleg = Interrupt.supervisorMask
        d.hart.mie = Interrupt.supervisorMask
        d.hart.mipSoftware = Interrupt.supervisorMask
        var sorder: [UInt64] = []
        for _ in 0..<3 {
            d.enter(.user)
            #expect(d.hart.checkInterrupts())
            sorder.append(d.hart.scause & 63)
            d.hart.mie &= ~(1 << (d.hart.scause & 63))
        }
        #expect(sorder == [9, 1, 5])
    }

    @Test func enablingAPendingInterruptTakesItAfterTheCSRWrite() {
        // run(until:) returns after a CSR write, so the board takes the interrupt right there.
        let b = TestBoard()
        b.hart.mie = Interrupt.MSIP
        b.bus.clint.msip[0] = true
        let words = [nop, csrrsi(zero, CSR.mstatus, 8), addi(a0, zero, 1), addi(a0, zero, 2)]   // csrsi mstatus, MIE
        b.runProgram(words, interrupts: true)
        #expect(b.hart.pc == TestBoard.mHandler)
        #expect(b.hart.mcause == intr | 3)
        #expect(b.hart.mepc == TestBoard.base + 8, "taken before the instruction after the csrsi")
        #expect(b[a0] == 0)
        // The same after an MRET that lowers the privilege with an M interrupt pending.
        let c = TestBoard()
        c.allowAllPMP()
        c.hart.mie = Interrupt.MSIP
        c.bus.clint.msip[0] = true
        c.hart.mepc = TestBoard.base + 8
        c.runProgram([mret(), nop, addi(a0, zero, 1)], interrupts: true)   // MPP = U after reset
        #expect(c.hart.pc == TestBoard.mHandler && c.hart.mcause == intr | 3)
        #expect(c.hart.mepc == TestBoard.base + 8 && (c.hart.mstatus >> 11) & 3 == 0, "taken in U right after MRET")
        #expect(c[a0] == 0)
    }

    @Test func interruptsTakenBetweenRunsAtTheRightPc() {
        // A counting loop; an interrupt enabled part way is taken with mepc inside the loop.
        let b = TestBoard()
        b.hart.mie = Interrupt.MSIP
        b.hart.mstatus |= Mstatus.MIE
        b.load([
            addi(t0, t0, 1),             // loop: addi t0, t0, 1
            j(-4),                       //       j loop
        ])
        b.hart.pc = TestBoard.base
        b.hart.run(until: 200)
        #expect(b.hart.pc == TestBoard.base || b.hart.pc == TestBoard.base + 4)
        let count = b[t0]
        b.bus.clint.msip[0] = true
        #expect(b.hart.checkInterrupts())
        #expect(b.hart.mepc == TestBoard.base || b.hart.mepc == TestBoard.base + 4)
        #expect(b.hart.pc == TestBoard.mHandler && b[t0] == count)
    }
}

@Suite("CSRs: WARL fields and access rules (Priv. §2, §3.1, §12.1)")
struct CSRTests {
    @Test func misaIsReadOnly() {
        let b = TestBoard()
        let want = MISA.mxl64 | MISA.bit("I") | MISA.bit("M") | MISA.bit("A") | MISA.bit("C") | MISA.bit("S") | MISA.bit("U")
        #expect(b.csr(CSR.misa) == want)
        b[t0] = 0
        b.runProgram([csrw(CSR.misa, t0), csrr(a0, CSR.misa)])   // csrw misa, x0 (ignored); csrr a0, misa
        #expect(b[a0] == want)
    }

    @Test func machineInformationRegisters() {
        let b = TestBoard()
        b.runProgram([csrr(a0, CSR.mhartid), csrr(a1, CSR.mvendorid), csrr(a2, CSR.marchid), csrr(a3, CSR.mimpid)])
        #expect(b[a0] == 0 && b[a1] == 0 && b[a2] == 0 && b[a3] == 0)
        #expect(b.hart.pc == TestBoard.end(of: [0, 0, 0, 0]))
        // Read-only: a write traps even in M, mtval = the instruction.
        #expect(isIllegal(in: .machine, [csrw(CSR.mhartid, t0)]), "csrw mhartid")
        #expect(isIllegal(in: .machine, [csrrsi(zero, CSR.mvendorid, 1)]), "csrsi mvendorid, 1")
        #expect(!isIllegal(in: .machine, [csrrs(a0, CSR.mhartid, zero)]), "csrrs with x0 does not write")
        #expect(!isIllegal(in: .machine, [csrrci(a0, CSR.mimpid, 0)]), "csrrci with 0 does not write")
        #expect(isIllegal(in: .machine, [csrrw(zero, CSR.cycle, zero)]), "csrw cycle (read-only shadow)")
    }

    @Test func mstatusWARL() {
        let b = TestBoard()
        b[t0] = 2 << 11                  // MPP = 2 (reserved)
        b[t1] = Mstatus.FS | Mstatus.XS | Mstatus.VS | Mstatus.SD | Mstatus.UBE | Mstatus.SBE | Mstatus.MBE
        b.runProgram([
            csrw(CSR.mstatus, t0),       // csrw mstatus, t0
            csrr(a0, CSR.mstatus),       // csrr a0, mstatus
            csrs(CSR.mstatus, t1),       // csrs mstatus, t1 (read-only fields)
            csrr(a1, CSR.mstatus),       // csrr a1, mstatus
        ])
        #expect((b[a0] >> 11) & 3 != 2, "MPP = 2 is legalised")
        #expect(b[a1] & (Mstatus.FS | Mstatus.XS | Mstatus.VS) == 0, "FS/XS/VS read-only zero without F/V")
        #expect(b[a1] & Mstatus.SD == 0, "SD = 0 (nothing dirty)")
        #expect(b[a1] & (Mstatus.UBE | Mstatus.SBE | Mstatus.MBE) == 0, "little-endian only")
        #expect(b[a1] & Mstatus.UXL == 2 << 32 && b[a1] & Mstatus.SXL == 2 << 34, "UXL = SXL = 64")
        // Every writable field round-trips.
        let fields = Mstatus.SIE | Mstatus.MIE | Mstatus.SPIE | Mstatus.MPIE | Mstatus.SPP | (1 << 11) | Mstatus.MPRV
            | Mstatus.SUM | Mstatus.MXR | Mstatus.TVM | Mstatus.TW | Mstatus.TSR
        try! b.hart.csrWrite(CSR.mstatus, fields, raw: 0)
        #expect(b.csr(CSR.mstatus) & ~(Mstatus.UXL | Mstatus.SXL) == fields)
        // sstatus is a view: only its fields, writes reach mstatus.
        #expect(b.csr(CSR.sstatus) == fields & Mstatus.sstatusMask | (2 << 32))
        try! b.hart.csrWrite(CSR.sstatus, 0, raw: 0)
        #expect(b.csr(CSR.mstatus) & ~(Mstatus.UXL | Mstatus.SXL) == fields & ~(Mstatus.SIE | Mstatus.SPIE | Mstatus.SPP | Mstatus.SUM | Mstatus.MXR))
        try! b.hart.csrWrite(CSR.sstatus, .max, raw: 0)
        #expect(b.csr(CSR.mstatus) & (Mstatus.MIE | Mstatus.MPIE | Mstatus.TSR) == Mstatus.MIE | Mstatus.MPIE | Mstatus.TSR)
        #expect(b.csr(CSR.mstatus) & (Mstatus.MPP) == 1 << 11, "sstatus cannot touch MPP")
    }

    @Test func delegationRegistersWARL() {
        let b = TestBoard()
        b[t0] = .max
        b.runProgram([
            csrw(CSR.medeleg, t0), csrr(a0, CSR.medeleg),   // csrw medeleg, -1; csrr a0, medeleg
            csrw(CSR.mideleg, t0), csrr(a1, CSR.mideleg),   // csrw mideleg, -1; csrr a1, mideleg
        ])
        #expect(b[a0] & (1 << 11) == 0, "medeleg[11] (ecall from M) is read-only zero")
        for bit in [0, 2, 3, 8, 12, 13, 15] { #expect(b[a0] & (1 << UInt64(bit)) != 0, "medeleg[\(bit)] delegable") }
        #expect(b[a1] == Interrupt.SSIP | Interrupt.STIP | Interrupt.SEIP, "mideleg: only SSI, STI, SEI")
    }

    @Test func mipMieSipSie() {
        let b = TestBoard()
        try! b.hart.csrWrite(CSR.mip, .max, raw: 0)
        #expect(b.csr(CSR.mip) == Interrupt.SSIP | Interrupt.STIP | Interrupt.SEIP, "MTIP, MSIP, MEIP are read-only")
        try! b.hart.csrWrite(CSR.mip, 0, raw: 0)
        b.bus.clint.msip[0] = true
        try! b.hart.csrWrite(CSR.mip, 0, raw: 0)
        #expect(b.csr(CSR.mip) == Interrupt.MSIP, "MSIP follows the CLINT, not writes")
        b.bus.clint.msip[0] = false
        try! b.hart.csrWrite(CSR.mie, .max, raw: 0)
        #expect(b.csr(CSR.mie) == Hart.mieWritable)

        // sip/sie show delegated bits only; only SSIP is writable through sip.
        let s = TestBoard()
        try! s.hart.csrWrite(CSR.sip, .max, raw: 0)
        try! s.hart.csrWrite(CSR.sie, .max, raw: 0)
        #expect(s.csr(CSR.mip) == 0 && s.csr(CSR.mie) == 0, "nothing delegated: sip/sie writes do nothing")
        s.hart.mideleg = Interrupt.SSIP | Interrupt.STIP | Interrupt.SEIP
        try! s.hart.csrWrite(CSR.sip, .max, raw: 0)
        #expect(s.csr(CSR.sip) == Interrupt.SSIP, "only SSIP is writable in sip")
        try! s.hart.csrWrite(CSR.mip, Interrupt.STIP | Interrupt.SEIP | Interrupt.SSIP, raw: 0)
        try! s.hart.csrWrite(CSR.sip, 0, raw: 0)
        #expect(s.csr(CSR.sip) == Interrupt.STIP | Interrupt.SEIP, "STIP/SEIP read-only in sip")
        try! s.hart.csrWrite(CSR.sie, .max, raw: 0)
        #expect(s.csr(CSR.sie) == Interrupt.supervisorMask && s.csr(CSR.mie) == Interrupt.supervisorMask)
        s.hart.mideleg = Interrupt.SSIP
        #expect(s.csr(CSR.sip) == Interrupt.SSIP & s.csr(CSR.mip) && s.csr(CSR.sie) == Interrupt.SSIP)
        s.hart.mie = Interrupt.MTIP | Interrupt.SSIP
        try! s.hart.csrWrite(CSR.sie, 0, raw: 0)
        #expect(s.csr(CSR.mie) == Interrupt.MTIP, "sie writes leave non-delegated bits alone")
    }

    @Test func envcfgWARL() {
        let b = TestBoard()
        try! b.hart.csrWrite(CSR.menvcfg, .max, raw: 0)
        try! b.hart.csrWrite(CSR.senvcfg, .max, raw: 0)
        #expect(b.csr(CSR.menvcfg) == 1, "only FIOM is implemented (no Sstc, Svpbmt, Zicbo*)")
        #expect(b.csr(CSR.senvcfg) == 1)
        #expect(isIllegal(in: .supervisor, [csrr(a0, CSR.menvcfg)]))
        #expect(!isIllegal(in: .supervisor, [csrr(a0, CSR.senvcfg)]))
    }

    @Test func satpWARL() {
        let b = TestBoard()
        let sv39 = (SatpMode.sv39 << 60) | (5 << 44) | 0x80123
        try! b.hart.csrWrite(CSR.satp, sv39, raw: 0)
        #expect(b.csr(CSR.satp) == sv39)
        for mode: UInt64 in [1, 2, 7, SatpMode.sv57, 11, 15] {
            try! b.hart.csrWrite(CSR.satp, (mode << 60) | 0x999, raw: 0)
            #expect(b.csr(CSR.satp) == sv39, "MODE \(mode) unsupported: the write has no effect")
        }
        let sv48 = (SatpMode.sv48 << 60) | 0x80000
        try! b.hart.csrWrite(CSR.satp, sv48, raw: 0)
        #expect(b.csr(CSR.satp) == sv48)
        try! b.hart.csrWrite(CSR.satp, 0, raw: 0)
        #expect(b.csr(CSR.satp) == 0)
    }

    @Test func epcTvecAndScratchRegisters() {
        let b = TestBoard()
        b[t0] = 0x8000_1235
        b[t1] = 0x8000_1002                          // MODE = 2 (reserved)
        b[t2] = 0x8000_1003                          // MODE = 3 (reserved)
        b[s0] = .max
        b.runProgram([
            csrw(CSR.mepc, t0), csrr(a0, CSR.mepc),          // mepc bit 0 is zero
            csrw(CSR.sepc, t0), csrr(a1, CSR.sepc),          // sepc bit 0 is zero
            csrw(CSR.mtvec, t1), csrr(a2, CSR.mtvec),
            csrw(CSR.stvec, t2), csrr(a3, CSR.stvec),
            csrw(CSR.mscratch, s0), csrr(a4, CSR.mscratch),
            csrw(CSR.sscratch, s0), csrr(a5, CSR.sscratch),
            csrw(CSR.mcountinhibit, s0), csrr(a6, CSR.mcountinhibit),
            csrrw(a7, CSR.mscratch, zero),                   // swap: a7 = old, mscratch = 0
            csrr(s1, CSR.mscratch),
        ])
        #expect(b[a0] == 0x8000_1234)
        #expect(b[a1] == 0x8000_1234)
        #expect(b[a2] & 3 < 2, "mtvec MODE ≥ 2 is reserved")
        #expect(b[a3] & 3 < 2, "stvec MODE ≥ 2 is reserved")
        #expect(b[a4] == .max && b[a5] == .max)
        #expect(b[a6] & 2 == 0, "mcountinhibit.TM is read-only zero")
        #expect(b[a6] & 5 == 5, "CY and IR are writable")
        #expect(b[a7] == .max && b[s1] == 0)
    }

    @Test func csrSwapWithTheSameRegister() {
        let b = TestBoard()
        b[t0] = 0x1111
        b.hart.mscratch = 0x2222
        b.runProgram([
            csrrw(t0, CSR.mscratch, t0), // swap t0 and mscratch
            csrrs(t1, CSR.mscratch, t1), // t1 = old; mscratch |= old t1 (0)
            csrrc(t2, CSR.mscratch, t0), // t2 = 0x1111; mscratch &= ~0x2222
            csrrwi(s0, CSR.mscratch, 31),
            csrrsi(s1, CSR.mscratch, 0), // reads only
            csrrci(s2, CSR.mscratch, 0x11),
            csrr(s3, CSR.mscratch),
        ])
        #expect(b[t0] == 0x2222 && b[t1] == 0x1111 && b[t2] == 0x1111)
        #expect(b[s0] == 0x1111 & ~0x2222 && b[s1] == 31 && b[s2] == 31 && b[s3] == 31 & ~0x11)
    }

    @Test func pmpCSRsWARL() {
        // Odd pmpcfg registers do not exist on RV64.
        #expect(isIllegal(in: .machine, [csrr(a0, CSR.pmpcfg0 + 1)]), "csrr pmpcfg1")
        #expect(isIllegal(in: .machine, [csrw(CSR.pmpcfg0 + 3, t0)]), "csrw pmpcfg3")
        let b = TestBoard()
        b[t0] = 0x0202_0E1A                   // entries 0–3: NAPOT|W, X|W, W, W: all R=0 W=1
        b[t1] = 0x6F                          // entry 0: bits 6:5 (reserved) set, TOR|X|W|R
        b.runProgram([
            csrw(CSR.pmpcfg0, t0), csrr(a0, CSR.pmpcfg0),    // csrw pmpcfg0, t0; csrr a0, pmpcfg0
            csrw(CSR.pmpcfg0, t1), csrr(a1, CSR.pmpcfg0),
        ])
        for i in 0..<4 {
            let cfg = (b[a0] >> UInt64(8 * i)) & 0xFF
            #expect(!(cfg & 1 == 0 && cfg & 2 != 0), "entry \(i): R=0 W=1 is reserved and must not read back")
        }
        #expect(b[a1] & 0x60 == 0, "pmpcfg bits 6:5 read as zero")
        #expect(b[a1] & 0x1F == 0x0F)
        // pmpaddr: 54 bits on RV64.
        try! b.hart.csrWrite(CSR.pmpaddr0 + 5, .max, raw: 0)
        #expect(b.csr(CSR.pmpaddr0 + 5) == (1 << 54) - 1)
        // Locked entries ignore writes to their cfg and address (and a locked TOR entry locks
        // the address below it).
        let l = TestBoard()
        try! l.hart.csrWrite(CSR.pmpaddr0, 0x2000_0000, raw: 0)
        try! l.hart.csrWrite(CSR.pmpaddr0 + 1, 0x2000_1000, raw: 0)
        try! l.hart.csrWrite(CSR.pmpcfg0, 0x8D_00, raw: 0)   // entry 1: L | TOR | X | R
        try! l.hart.csrWrite(CSR.pmpcfg0, 0x1F_1F, raw: 0)
        #expect(l.csr(CSR.pmpcfg0) == 0x8D_1F, "locked entry 1 kept; entry 0 written")
        try! l.hart.csrWrite(CSR.pmpaddr0 + 1, 0x1234, raw: 0)
        try! l.hart.csrWrite(CSR.pmpaddr0, 0x1234, raw: 0)
        #expect(l.csr(CSR.pmpaddr0 + 1) == 0x2000_1000, "locked pmpaddr1")
        #expect(l.csr(CSR.pmpaddr0) == 0x2000_0000, "pmpaddr0 is the bottom of locked TOR entry 1")
        try! l.hart.csrWrite(CSR.pmpaddr0 + 2, 0x1234, raw: 0)
        #expect(l.csr(CSR.pmpaddr0 + 2) == 0x1234)
        // pmpcfg2 covers entries 8–15; pmpcfg4 and up are zero (16 entries).
        try! l.hart.csrWrite(CSR.pmpcfg0 + 2, 0x1F << 56, raw: 0)
        #expect(l.csr(CSR.pmpcfg0 + 2) == 0x1F << 56)
        try! l.hart.csrWrite(CSR.pmpcfg0 + 4, .max, raw: 0)
        #expect(l.csr(CSR.pmpcfg0 + 4) == 0)
    }

    @Test func csrPrivilegeFromAddressBits() {
        // Bits 9:8 give the lowest privilege that may access a CSR.
        #expect(isIllegal(in: .supervisor, [csrr(a0, CSR.mstatus)]), "S reads mstatus")
        #expect(isIllegal(in: .supervisor, [csrr(a0, CSR.mscratch)]), "S reads mscratch")
        #expect(isIllegal(in: .user, [csrr(a0, CSR.sstatus)]), "U reads sstatus")
        #expect(isIllegal(in: .user, [csrr(a0, CSR.sscratch)]), "U reads sscratch")
        #expect(isIllegal(in: .user, [csrr(a0, CSR.satp)]), "U reads satp")
        #expect(!isIllegal(in: .supervisor, [csrr(a0, CSR.sstatus)]), "S reads sstatus")
        #expect(!isIllegal(in: .supervisor, [csrw(CSR.sscratch, a0)]), "S writes sscratch")
        #expect(!isIllegal(in: .machine, [csrw(CSR.sscratch, a0)]), "M writes sscratch")
        #expect(isIllegal(in: .supervisor, [csrr(a0, CSR.pmpaddr0)]), "S reads pmpaddr0")
        #expect(isIllegal(in: .supervisor, [csrr(a0, CSR.mcycle)]), "S reads mcycle")
    }

    @Test func counterEnables() {
        // cycle/time/instret from S need mcounteren; from U also scounteren.
        // hpmcounter3 exists with Zihpm only (the harts here are RV64IMAC): illegal even in M.
        #expect(isIllegal(in: .machine, [csrr(a0, CSR.hpmcounter3)]), "hpmcounter3 without Zihpm")
        for (csr, bit) in [(CSR.cycle, UInt64(0)), (CSR.time, 1), (CSR.instret, 2)] {
            let read = [csrr(a0, csr)]
            #expect(!isIllegal(in: .machine, read), "M always reads \(hex(csr))")
            #expect(isIllegal(in: .supervisor, read), "S without mcounteren: \(hex(csr))")
            #expect(!isIllegal(in: .supervisor, read) { $0.hart.mcounteren = 1 << bit }, "S with mcounteren: \(hex(csr))")
            #expect(isIllegal(in: .user, read) { $0.hart.mcounteren = 1 << bit }, "U without scounteren: \(hex(csr))")
            #expect(isIllegal(in: .user, read) { $0.hart.scounteren = 1 << bit }, "U without mcounteren: \(hex(csr))")
            #expect(!isIllegal(in: .user, read) { $0.hart.mcounteren = 1 << bit; $0.hart.scounteren = 1 << bit }, "U with both: \(hex(csr))")
            #expect(isIllegal(in: .supervisor, read) { $0.hart.mcounteren = ~(1 << bit) }, "S, other bits only: \(hex(csr))")
        }
        // scounteren is writable from S; mcounteren is not.
        #expect(!isIllegal(in: .supervisor, [csrw(CSR.scounteren, a0)]))
        #expect(isIllegal(in: .supervisor, [csrw(CSR.mcounteren, a0)]))
    }

    @Test func counterValues() {
        let b = TestBoard()
        b[t0] = 1000
        b.runProgram([
            nop, nop, nop,                       // three instructions retire
            csrr(a0, CSR.minstret),              // a0 = 3
            csrr(a1, CSR.instret),               // a1 = 4
            csrw(CSR.minstret, t0),              // minstret = 1000 for the next instruction
            csrr(a2, CSR.minstret),              // a2 = 1000
            nop,
            csrr(a3, CSR.minstret),              // a3 = 1002
            csrw(CSR.mcycle, t0),                // mcycle = 1000
            csrr(a4, CSR.mcycle),                // a few cycles later
            csrr(a5, CSR.cycle),
            csrr(a6, CSR.time),
        ], stepping: true)
        #expect(b[a0] == 3, "minstret counts the instructions before the read")
        #expect(b[a1] == 4)
        #expect(b[a2] == 1000, "the written value is what the next instruction sees")
        #expect(b[a3] == 1002)
        #expect(b[a4] > 1000 && b[a4] < 1010, "mcycle continues from the written value: \(b[a4])")
        #expect(b[a5] > b[a4] && b[a5] < b[a4] + 10)
        #expect(b[a6] <= b.hart.cycles / CycleModel.cyclesPerTick, "time = cycles / 100")
        // mcountinhibit freezes the counters.
        let c = TestBoard()
        c[t0] = 5
        c.runProgram([
            csrw(CSR.mcountinhibit, t0),         // inhibit CY and IR
            csrr(a0, CSR.mcycle), csrr(a1, CSR.minstret),
            nop, nop, mul(t1, t1, t1),
            csrr(a2, CSR.mcycle), csrr(a3, CSR.minstret),
            csrw(CSR.mcountinhibit, zero),
            nop, nop,
            csrr(a4, CSR.minstret),
        ])
        #expect(c[a0] == c[a2], "mcycle frozen")
        #expect(c[a1] == c[a3], "minstret frozen")
        #expect(c[a4] > c[a3] && c[a4] <= c[a3] + 4, "minstret counts again")
    }

    @Test func trapVirtualMemoryWaitAndSret() {
        // TVM: satp and SFENCE.VMA trap in S; not in M.
        #expect(isIllegal(in: .supervisor, [csrr(a0, CSR.satp)]) { $0.hart.mstatus |= Mstatus.TVM }, "satp read with TVM")
        #expect(isIllegal(in: .supervisor, [csrw(CSR.satp, zero)]) { $0.hart.mstatus |= Mstatus.TVM }, "satp write with TVM")
        #expect(isIllegal(in: .supervisor, [sfenceVma()]) { $0.hart.mstatus |= Mstatus.TVM }, "sfence.vma with TVM")
        #expect(!isIllegal(in: .supervisor, [csrr(a0, CSR.satp)]), "satp without TVM")
        #expect(!isIllegal(in: .supervisor, [sfenceVma()]), "sfence.vma without TVM")
        #expect(!isIllegal(in: .machine, [csrr(a0, CSR.satp), sfenceVma()]) { $0.hart.mstatus |= Mstatus.TVM }, "TVM does not affect M")
        #expect(isIllegal(in: .user, [sfenceVma()]), "sfence.vma in U")
        // TW: WFI traps in S when set, and always in U (S-mode is implemented).
        #expect(isIllegal(in: .supervisor, [wfi()]) { $0.hart.mstatus |= Mstatus.TW }, "wfi in S with TW")
        #expect(isIllegal(in: .user, [wfi()]), "wfi in U")
        #expect(!isIllegal(in: .machine, [wfi()]) { $0.hart.mstatus |= Mstatus.TW }, "TW does not affect M")
        // Without TW, WFI in S waits and the pc moves past it.
        let b = TestBoard()
        b.enter(.supervisor)
        b.load([wfi(), j(0)])
        b.hart.pc = TestBoard.base
        b.hart.run(until: 1000)
        #expect(b.hart.waitingForInterrupt)
        #expect(b.hart.pc == TestBoard.base + 4)
        #expect(b.hart.instret == 1)
    }
}
