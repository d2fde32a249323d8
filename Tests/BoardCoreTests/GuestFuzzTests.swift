@testable import BoardCore
import RISCV
import Testing
import TestSupport

/// Whatever a guest executes, every trap follows the privileged spec. Random instruction
/// streams (random words, compressed halves, SYSTEM instructions, CSR traffic aimed at the
/// trap and translation CSRs, xRETs; with H also HLV/HLVX/HSV and HFENCE) run one
/// instruction at a time in M, S and U with and without Sv39/Sv48, and, with H, in VS and
/// VU over a Bare or an Sv39x4 G-stage; odd seeds have F and D. The trap vectors mostly
/// point at handlers that step over the trapping instruction and return (so MRET and SRET
/// run too), and a stream that stops making progress is moved on by the harness. After every
/// step the trap it took, if any, is held against the spec as `GuestFuzzOracle.swift`
/// writes it down:
///
/// - the cause is one this ISA can raise, its interrupt bit matches what happened, it went to
///   the mode delegation names (machine.adoc "Machine Trap Delegation"; hypervisor.adoc
///   norm:H_trap_deleg) and only comes from the modes it names (ecall 8/9/10/11, virtual
///   instruction 22 and guest-page faults only with V = 1 or from HLV/HSV);
/// - xepc is the trapping instruction (machine.adoc norm:mepc_op), even with C
///   (norm:mepc_align), the pc is the vector (machine.adoc "Machine Trap-Vector
///   Base-Address"), xPP/xPIE/xIE and MPV/SPV/SPVP/GVA are stacked as hypervisor.adoc
///   "Trap Entry" tables them, and the trap did not retire the instruction;
/// - xtval (machine.adoc "Machine Trap Value"): the instruction bits for illegal and virtual
///   instructions (this board's choice: Tests/programs/README.md CHECK_ILLEGAL,
///   hypervisor.adoc norm:H_virtinst_xtval), the pc for EBREAK (the board's choice; 0 is
///   also allowed), 0 for ECALL and interrupts, the faulting portion of the access for
///   misaligned, access and page faults (norm:mtval_vaddr_wr2, norm:mtval_varlen_wr), and
///   a page or guest-page fault only where the spec's translation algorithm faults too;
/// - with H, htval/mtval2 = the faulting guest physical address >> 2 for guest-page faults
///   and 0 otherwise (norm:htval_trapval, norm:mtval2_htval_virtaddr), htinst/mtinst = the
///   transformed instruction for loads, stores, AMOs and HLV/HSV (FLW/FLD/FSW/FSD: that or 0;
///   this board writes 0), the pseudoinstruction 0x3000/0x3020 for a VS-stage page-table
///   access, 0 otherwise ("Transformed Instruction or Pseudoinstruction for mtinst or htinst");
///   cause 22 only for SYSTEM instructions;
/// - interrupts: taken exactly when one is deliverable, the highest-priority one, to the
///   highest destination mode (machine.adoc "Machine Interrupt (mip and mie) Registers",
///   hypervisor.adoc norm:hsint_priority);
/// - MRET and SRET go where MPP/MPV, SPP/SPV or vsstatus.SPP say and clear them
///   (machine.adoc "Trap-Return Instructions", hypervisor.adoc "Trap Return"); the mode
///   never changes otherwise; MPP never holds the reserved 2; xepc[0] is always 0.
///
/// Then the same code runs on in blocks (the decoded-page and JIT paths) and the host must
/// survive with a coherent hart. Seeded: a failure names its seed and step.
@Suite struct GuestFuzzTests {
    /// Steps checked one by one per seed, then block-mode chunks.
    static let steps = 3000
    static let chunks = 100

    @Test(arguments: 0..<16)
    func randomStreamsInMSAndUKeepTheTrapRules(_ seed: Int) {
        let fuzz = GuestFuzz(seed: UInt64(seed), h: false)
        fuzz.run(steps: Self.steps)
        fuzz.runBlocks(chunks: Self.chunks)
    }

    /// The H variant: streams start in VS or VU (and sometimes HS, U or M, for HLV/HSV)
    /// with random hstatus, hedeleg/hideleg and medeleg/mideleg, hgatp Bare or an Sv39x4
    /// G-stage (2 MiB of guest RAM read-write-execute, the next 2 MiB with random rights,
    /// the devices sometimes mapped read-write), vsatp Bare or an Sv39 table (sometimes
    /// rooted where the G-stage maps nothing, so that its reads fault).
    @Test(arguments: 0..<16)
    func randomStreamsInVSAndVUKeepTheTrapRules(_ seed: Int) {
        let fuzz = GuestFuzz(seed: 0x4856_0000 &+ UInt64(seed), h: true)
        fuzz.run(steps: Self.steps)
        fuzz.runBlocks(chunks: Self.chunks)
    }
}

/// One fuzzed hart and the checks of its steps.
final class GuestFuzz {
    static let ram: UInt64 = 0x8000_0000
    static let ramSize: UInt64 = 4 << 20
    static let codeSize = 64 << 10
    /// Sv39x4 root (16 KiB aligned) and its level-1 table, in the upper 2 MiB of RAM.
    static let gRoot: UInt64 = ram + 0x30_0000
    static let gLevel1: UInt64 = ram + 0x30_4000
    /// The VS-stage Sv39 root, in guest RAM (identity-mapped by the G-stage).
    static let vsRoot: UInt64 = ram + 0x10_0000
    /// The S-mode (V = 0) Sv39/Sv48 root.
    static let sRoot: UInt64 = ram + 0x18_0000
    /// The trap handlers, after the code.
    static let mHandler: UInt64 = ram + 0x1_0000
    static let sHandler: UInt64 = ram + 0x1_0040
    static let vsHandler: UInt64 = ram + 0x1_0080

    let seed: UInt64
    let h: Bool
    /// F and D (odd seeds): FP loads and stores, and mstatus/vsstatus.FS gating.
    let fd: Bool
    var rng: SplitMix64
    let bus: Bus
    let hart: Hart
    var step = 0
    var failures = 0
    /// The exception causes the steps took, for the coverage check at the end.
    var causesSeen: Set<UInt64> = []
    var trapRun = 0
    /// The last trap (cause | source mode << 8, bit 63 for interrupts) and how often in a row.
    var lastTrap: UInt64 = .max
    var sameTrapRun = 0
    var recentPCs: [UInt64] = []

    init(seed: UInt64, h: Bool) {
        self.seed = seed
        self.h = h
        fd = seed & 1 == 1
        rng = SplitMix64(seed: seed &* 0x1234_5678_9ABC_DEF1)
        bus = Bus(memoryBytes: Self.ramSize, uart: UART16550(outputFD: -1, inputFD: -1))
        hart = Hart(id: 0, bus: bus, sstc: h, h: h, fd: fd)
        setUp()
    }

    // MARK: Set-up

    func random(_ n: UInt64) -> UInt64 { rng.next() % n }
    func chance(_ percent: UInt64) -> Bool { random(100) < percent }

    /// CSRs the streams read and write (plus random numbers).
    static let interestingCSRs: [UInt16] = [
        CSR.mstatus, CSR.medeleg, CSR.mideleg, CSR.mie, CSR.mip, CSR.mtvec, CSR.mepc, CSR.mcause, CSR.mtval,
        CSR.sstatus, CSR.sie, CSR.sip, CSR.stvec, CSR.sepc, CSR.scause, CSR.stval, CSR.satp, CSR.sscratch,
        CSR.mcounteren, CSR.scounteren, CSR.menvcfg, CSR.stimecmp, CSR.cycle, CSR.time, CSR.instret,
        CSR.hstatus, CSR.hedeleg, CSR.hideleg, CSR.hie, CSR.hip, CSR.hvip, CSR.hgatp, CSR.htval, CSR.htinst,
        CSR.hcounteren, CSR.henvcfg, CSR.htimedelta, CSR.mtval2, CSR.mtinst,
        CSR.vsstatus, CSR.vsie, CSR.vsip, CSR.vstvec, CSR.vsepc, CSR.vscause, CSR.vstval, CSR.vsatp, CSR.vstimecmp,
    ]

    /// A register the stream likes to use as a base or a value.
    func anyRegister() -> UInt32 { UInt32(random(32)) }

    func randomWord() -> UInt32 {
        var w = UInt32(truncatingIfNeeded: rng.next())
        let r = random(100)
        switch r {
        case 0..<30:
            break  // anything: mostly illegal, loads, stores, ALU, branches
        case 30..<48:
            // Two compressed halves (quadrants 0-2).
            let a = UInt32(truncatingIfNeeded: rng.next()) & 0xFFFF, b = UInt32(truncatingIfNeeded: rng.next()) & 0xFFFF
            w = (a & ~3 | UInt32(random(3))) | (b & ~3 | UInt32(random(3))) << 16
        case 48..<60:
            w = (w & ~0x7F) | 0x73  // SYSTEM: random CSR numbers, xRET, WFI, fences, ECALL
        case 60..<72:
            // A CSR instruction on an interesting CSR (CSRRW/RS/RC and the immediate forms).
            let csr = UInt32(Self.interestingCSRs[Int(random(UInt64(Self.interestingCSRs.count)))])
            let f3 = [1, 2, 3, 5, 6, 7][Int(random(6))] as UInt32
            w = csr << 20 | anyRegister() << 15 | f3 << 12 | anyRegister() << 7 | 0x73
        case 78..<82 where fd:
            // FLW/FLD/FSW/FSD.
            let f3 = 2 + UInt32(random(2)), base = anyRegister(), reg = anyRegister(), imm = UInt32(random(64))
            w = chance(50) ? imm << 20 | base << 15 | f3 << 12 | reg << 7 | 0x07
                : (imm >> 5) << 25 | reg << 20 | base << 15 | f3 << 12 | (imm & 31) << 7 | 0x27
        case 72..<82:
            // Loads, stores and atomics with small offsets from a random base.
            let f3 = UInt32(random(4)), base = anyRegister(), reg = anyRegister(), imm = UInt32(random(64))
            switch random(3) {
            case 0: w = imm << 20 | base << 15 | (f3 | UInt32(random(2)) << 2) << 12 | reg << 7 | 0x03
            case 1: w = (imm >> 5) << 25 | reg << 20 | base << 15 | f3 << 12 | (imm & 31) << 7 | 0x23
            default:
                let funct5 = [0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x0C, 0x10, 0x14, 0x18, 0x1C][Int(random(11))] as UInt32
                w = funct5 << 27 | reg << 20 | base << 15 | (2 + UInt32(random(2))) << 12 | anyRegister() << 7 | 0x2F
            }
        case 82..<88:
            w = [0x3020_0073, 0x1020_0073, 0x1050_0073, 0x0000_0073, 0x0010_0073, 0x1200_0073][Int(random(6))]  // mret sret wfi ecall ebreak sfence.vma
        case 88..<94 where h:
            // HLV/HLVX/HSV and HFENCE.
            let forms: [(UInt32, UInt32)] = [(0x30, 0), (0x30, 1), (0x32, 0), (0x32, 1), (0x32, 3), (0x34, 0), (0x34, 1),
                                             (0x34, 3), (0x36, 0), (0x31, 0), (0x33, 0), (0x35, 0), (0x37, 0)]
            let (f7, rs2) = forms[Int(random(UInt64(forms.count)))]
            let rd = f7 & 1 == 1 ? 0 : anyRegister()
            let source = f7 & 1 == 1 ? anyRegister() : rs2
            w = f7 << 25 | source << 20 | anyRegister() << 15 | 4 << 12 | rd << 7 | 0x73
            if chance(20) { w = (chance(50) ? 0x11 : 0x31) << 25 | anyRegister() << 20 | anyRegister() << 15 | 0x73 }
        default:
            // Jumps and branches within the code.
            w = (w & 0xFFFF_F000) | anyRegister() << 7 | (chance(50) ? 0x6F : 0x63)
        }
        return w
    }

    /// A register value: RAM (page ends included), the devices, unmapped and non-canonical
    /// addresses, small numbers, anything.
    func randomValue() -> UInt64 {
        switch random(8) {
        case 0, 1: return Self.ram + random(Self.ramSize)
        case 2: return Self.ram + (random(Self.ramSize >> 12) << 12) + 4096 - random(8)
        case 3: return [VirtMap.clint, VirtMap.clint + 0x4000, VirtMap.uart0, VirtMap.plic, VirtMap.bootROM,
                        VirtMap.virtioBase][Int(random(6))] + random(16)
        case 4: return Self.ram + Self.ramSize + random(1 << 30)
        case 5: return random(4096)
        case 6: return 0x0000_4000_0000_0000 | rng.next() >> 20
        default: return rng.next()
        }
    }

    func randomCodeAddress() -> UInt64 { Self.ram + (random(UInt64(Self.codeSize) / 2) << 1) }

    /// Mostly the handler (direct), else random code, a quarter of the time vectored.
    func randomVector(_ handler: UInt64) -> UInt64 {
        (chance(75) ? handler : Self.ram + random(UInt64(Self.codeSize)) & ~3) | (chance(25) ? 1 : 0)
    }

    /// The harness moves a stream that makes no progress (traps over and over, or loops on
    /// a few instructions) to random code in a random mode, as if an outside event had.
    /// The same trap eight times in a row (say, an instruction that faults, the handler
    /// skipping to the next one that faults the same way) counts as no progress too; a
    /// repeating interrupt loses its enable, as the conformance runtime's handlers do.
    func kickIfStuck(trapped: Bool) {
        trapRun = trapped ? trapRun + 1 : 0
        recentPCs.append(hart.pc)
        if recentPCs.count > 64 { recentPCs.removeFirst() }
        guard trapRun >= 12 || sameTrapRun >= 8 || (recentPCs.count == 64 && step % 64 == 0 && Set(recentPCs).count < 16) else { return }
        if sameTrapRun >= 8 && lastTrap >> 63 != 0 { hart.mie &= ~(1 << (lastTrap & 63)) }
        trapRun = 0
        sameTrapRun = 0
        recentPCs.removeAll()
        let modes: [Mode] = h ? [.vs, .vu, .vs, .vu, .hs, .u, .m] : [.m, .hs, .u]
        let mode = modes[Int(random(UInt64(modes.count)))]
        hart.pc = randomCodeAddress()
        hart.setPrivilege(mode.priv, virtual: mode.virt)
        if hart.waitingForInterrupt { hart.resume() }
    }

    func setUp() {
        var code: [UInt8] = []
        for _ in 0..<Self.codeSize / 4 {
            code += withUnsafeBytes(of: randomWord().littleEndian) { Array($0) }
        }
        bus.writeMemory(Self.ram, code)
        // Handlers that step over the trapping instruction (4 bytes) and return, so the
        // stream goes on in the mode it trapped from: csrr t6, xepc; addi t6, t6, 4;
        // csrw xepc, t6; xRET (in VS, sepc and SRET are VS's).
        for (handler, epc, xret) in [(Self.mHandler, 0x341, 0x3020_0073), (Self.sHandler, 0x141, 0x1020_0073),
                                     (Self.vsHandler, 0x141, 0x1020_0073)] as [(UInt64, UInt32, UInt32)] {
            let words: [UInt32] = [epc << 20 | 2 << 12 | 31 << 7 | 0x73, 4 << 20 | 31 << 15 | 31 << 7 | 0x13,
                                   epc << 20 | 31 << 15 | 1 << 12 | 0x73, xret]
            bus.writeMemory(handler, words.flatMap { w in withUnsafeBytes(of: w.littleEndian) { Array($0) } })
        }
        hart.reset(pc: randomCodeAddress())
        for r in 1..<32 { hart.setRegister(r, randomValue()) }
        hart.mtvec = randomVector(Self.mHandler)
        hart.stvec = randomVector(Self.sHandler)
        hart.vstvec = randomVector(Self.vsHandler)
        // PMP entry 0: locked NAPOT over everything, RWX. It matches first, so PMP never
        // refuses (not even the entries the stream may rewrite): faults come from
        // translation and the memory map alone.
        hart.pmpaddr[0] = .max >> 10
        hart.pmpcfg[0] = 0x9F
        hart.rebuildPMP()
        hart.medeleg = rng.next() & Hart.medelegWritable
        hart.mideleg = (rng.next() & Interrupt.supervisorMask) | (h ? Interrupt.virtualSupervisorMask : 0)
        hart.mie = rng.next() & (Hart.mieWritable | (h ? Interrupt.virtualSupervisorMask : 0))
        hart.mstatus = hart.mstatus | (rng.next() & (Mstatus.SIE | Mstatus.MIE | Mstatus.SPIE | Mstatus.MPIE | Mstatus.SUM | Mstatus.MXR))
        if chance(20) {
            // MPRV: loads and stores as MPP (and MPV) from M.
            hart.mstatus = hart.mstatus & ~(Mstatus.MPP | Mstatus.MPV) | Mstatus.MPRV | [0, 1, 3][Int(random(3))] << Mstatus.MPPShift
                | (h && chance(50) ? Mstatus.MPV : 0)
        }
        if fd { hart.mstatus |= rng.next() & Mstatus.FS }
        hart.mcounteren = rng.next() & 7
        hart.scounteren = rng.next() & 7
        // Interrupt sources: software-pending S bits, and timers that fire within the run
        // (mtime ticks every 100 cycles).
        if chance(40) { hart.mipSoftware |= rng.next() & Interrupt.supervisorMask }
        if chance(40) { bus.clint.write(offset: CLINTLayout.mtimecmp(hart: 0), size: 8, value: random(400), cycles: 0) }
        if h && chance(40) {
            hart.menvcfg |= Hart.STCE
            hart.stimecmp = random(400)
        }
        if chance(50) {
            // Sv39 or Sv48 for S/U: RAM identity-mapped by a gigapage (random U/R/W/X/A/D),
            // or a random root (in the random code, or in mostly empty memory: faults).
            let sv48 = chance(30)
            let root = chance(70) ? Self.sRoot : Self.ram + (random(chance(50) ? UInt64(Self.codeSize) : Self.ramSize) & ~0xFFF)
            if root == Self.sRoot {
                var table = Self.sRoot
                if sv48 {
                    bus.writeMemory(table, le64(((Self.sRoot + 0x1000) >> 12) << 10 | 1))
                    table += 0x1000
                }
                let flags = 1 | (rng.next() & 0xDE) | 0x8  // V, X, and random R/W/U/A/D
                bus.writeMemory(table + 2 * 8, le64((Self.ram >> 12) << 10 | (flags & 4 != 0 ? flags | 2 : flags)))
                bus.writeMemory(table, le64(0xC7 | (rng.next() & 0x10)))  // the devices' gigapage (PPN 0): D A W R V
            }
            hart.satp = (sv48 ? 9 : 8) << 60 | root >> 12
        }
        var start: Mode = [.m, .hs, .u][Int(random(3))]
        if h { setUpHypervisor(&start) }
        hart.setPrivilege(start.priv, virtual: start.virt)
        hart.flushTLB()
    }

    func setUpHypervisor(_ start: inout Mode) {
        hart.hedeleg = rng.next() & Hart.hedelegWritable
        hart.hideleg = rng.next() & Interrupt.virtualSupervisorMask
        hart.hstatus = hart.hstatus | (rng.next() & (Hstatus.SPV | Hstatus.SPVP | Hstatus.HU | Hstatus.VTW | Hstatus.VTSR | Hstatus.VTVM))
        hart.vsstatus = hart.vsstatus | (rng.next() & (Mstatus.SIE | Mstatus.SPIE | Mstatus.SPP | Mstatus.SUM | Mstatus.MXR))
        if fd { hart.vsstatus |= rng.next() & Mstatus.FS }
        hart.hcounteren = rng.next() & 7
        if chance(50) { hart.mipSoftware |= rng.next() & Interrupt.virtualSupervisorMask }
        if chance(40) {
            hart.menvcfg |= Hart.STCE
            hart.henvcfg |= rng.next() & Hart.STCE
            hart.vstimecmp = random(400)
        }
        if chance(75) {
            // Sv39x4: guest RAM 0x8000_0000-0x801F_FFFF → itself (RWX), the next 2 MiB with
            // random rights; the devices' gigapage read-write half of the time.
            bus.writeMemory(Self.gRoot + 2 * 8, le64((Self.gLevel1 >> 12) << 10 | 1))
            bus.writeMemory(Self.gLevel1, le64((Self.ram >> 12) << 10 | 0xDF))  // D A U X W R V
            var rights = rng.next() & 0xCE | 0x11  // V U, random R W X A D
            if rights & 4 != 0 { rights |= 2 }
            bus.writeMemory(Self.gLevel1 + 8, le64(((Self.ram + 0x20_0000) >> 12) << 10 | rights))
            if chance(50) { bus.writeMemory(Self.gRoot, le64(0xD7)) }  // PPN 0: D A U W R V
            hart.hgatp = 8 << 60 | random(1 << 14) << 44 | Self.gRoot >> 12
        }
        switch random(4) {
        case 0, 1: break  // vsatp Bare
        case 2:
            // Sv39: the guest's RAM by a gigapage, X R V and random W/U/A/D.
            bus.writeMemory(Self.vsRoot + 2 * 8, le64((Self.ram >> 12) << 10 | 0x0B | (rng.next() & 0xD4)))
            hart.vsatp = 8 << 60 | Self.vsRoot >> 12
        default:
            // A root the G-stage does not map (or, with G Bare, empty memory).
            hart.vsatp = 8 << 60 | (Self.ram + 0x40_0000 + (random(1 << 20) << 12)) >> 12
        }
        start = [.vs, .vs, .vu, .vu, .vs, .hs, .u, .m][Int(random(8))]
    }

    // MARK: Running

    func run(steps: Int) {
        while step < steps && bus.exitCode == nil && failures < 5 {
            step += 1
            if hart.waitingForInterrupt { hart.resume() }
            checkInterrupt()
            let before = HartSnapshot(hart)
            hart.singleStep = true
            hart.run(until: hart.cycles &+ 1)
            hart.singleStep = false
            let trapped = checkStep(before)
            kickIfStuck(trapped: trapped)
        }
        // The streams must actually exercise traps (else the checks above prove little).
        #expect(causesSeen.count >= 3 || bus.exitCode != nil, "seed \(seed): causes seen \(causesSeen.sorted())")
    }

    /// The old fuzz loop: the same code on in blocks, interrupts between chunks.
    func runBlocks(chunks: Int) {
        var n = 0
        while n < chunks && bus.exitCode == nil {
            n += 1
            if hart.waitingForInterrupt { hart.resume() }
            hart.checkInterrupts()
            hart.run(until: hart.cycles &+ 2000)
        }
        // The hart is still coherent: pc even, x0 zero, a real mode, legal MPP, even xepc.
        #expect(hart.pc & 1 == 0, "seed \(seed)")
        #expect(hart.register(0) == 0, "seed \(seed)")
        #expect([Privilege.machine, .supervisor, .user].contains(hart.priv), "seed \(seed)")
        #expect(!(hart.virt && hart.priv == .machine), "seed \(seed)")
        #expect((hart.mstatus >> Mstatus.MPPShift) & 3 != 2, "seed \(seed)")
        #expect(hart.mepc & 1 == 0 && hart.sepc & 1 == 0 && hart.vsepc & 1 == 0, "seed \(seed)")
        #expect(hart.cycles > 0)
    }

    func fail(_ message: String, _ location: SourceLocation = #_sourceLocation) {
        failures += 1
        Issue.record("seed \(seed) (\(h ? "H" : "no H")) step \(step): \(message)", sourceLocation: location)
    }

    func expect(_ ok: Bool, _ message: @autoclosure () -> String, _ location: SourceLocation = #_sourceLocation) {
        if !ok { fail(message(), location) }
    }

    // MARK: Interrupts

    /// The interrupt the spec says is taken now, and where (machine.adoc "Machine Interrupt
    /// (mip and mie) Registers": an interrupt traps to M if MIE or below M, pending and
    /// enabled, not delegated; supervisor.adoc "Supervisor Interrupt Registers": to S if SIE
    /// or below S; hypervisor.adoc: to VS when also delegated by hideleg, with V = 1 and
    /// vsstatus.SIE or VU; destinations in decreasing privilege, then the priority order).
    func deliverableInterrupt() -> (code: UInt64, target: Mode)? {
        let pending = hart.mip & hart.mie
        let mode = Mode(priv: hart.priv, virt: hart.virt)
        let mEnabled = mode.priv != .machine || hart.mstatus & Mstatus.MIE != 0
        let hsEnabled = mode.priv != .machine && (mode.virt || mode.priv == .user || hart.mstatus & Mstatus.SIE != 0)
        let vsEnabled = mode.virt && (mode.priv == .user || hart.vsstatus & Mstatus.SIE != 0)
        let levels: [(UInt64, Mode)] = [
            (mEnabled ? pending & ~hart.mideleg : 0, .m),
            (hsEnabled ? pending & hart.mideleg & ~hart.hideleg : 0, .hs),
            (vsEnabled ? pending & hart.mideleg & hart.hideleg : 0, .vs),
        ]
        for (candidates, target) in levels where candidates != 0 {
            for code in SpecCauses.interruptPriority where candidates & (1 << code) != 0 { return (code, target) }
        }
        return nil
    }

    func checkInterrupt() {
        hart.updateInterruptLines()
        let expected = deliverableInterrupt()
        let before = HartSnapshot(hart)
        let taken = hart.checkInterrupts()
        guard let (code, target) = expected else {
            expect(!taken, "an interrupt was taken with none deliverable (mcause \(hex(hart.mcause)), scause \(hex(hart.scause)))")
            return
        }
        guard taken else {
            fail("interrupt \(code) to \(target) is deliverable but was not taken")
            return
        }
        expect(SpecCauses.interrupts(h: h).contains(code), "interrupt \(code) is not one this ISA has")
        checkTrapEntry(before, interrupt: true, code: code, target: target, tval: trapValue(target), bits: nil, op: nil)
    }

    // MARK: Steps

    /// Checks one step; returns whether it trapped.
    @discardableResult
    func checkStep(_ s: HartSnapshot) -> Bool {
        let now = Mode(priv: hart.priv, virt: hart.virt)
        // Always: MPP never holds the reserved 2 (machine.adoc "Privilege and Global
        // Interrupt-Enable Stack": WARL, U/S/M only), xepc[0] is 0 (norm:mepc_align), the
        // read-only-zero delegation bits stay zero (medeleg[11], hedeleg table, hideleg
        // bits 1/5/9/12: norm:hideleg_acc).
        expect((hart.mstatus >> Mstatus.MPPShift) & 3 != 2, "mstatus.MPP = 2")
        expect(hart.mepc & 1 == 0 && hart.sepc & 1 == 0 && hart.vsepc & 1 == 0,
               "an xepc is odd: mepc \(hex(hart.mepc)) sepc \(hex(hart.sepc)) vsepc \(hex(hart.vsepc))")
        expect(hart.medeleg & (1 << 11) == 0, "medeleg[11] set")
        if h {
            expect(SpecCauses.neverToVS.allSatisfy { hart.hedeleg & (1 << $0) == 0 }, "hedeleg \(hex(hart.hedeleg)) has a read-only-zero bit")
            expect(hart.hideleg & 0x1222 == 0, "hideleg \(hex(hart.hideleg)) has a read-only-zero bit")
        }
        guard let index = (0..<64).first(where: { hart.stats.exceptions[$0] != s.exceptions[$0] }) else {
            // No trap: the instruction retired; the mode changes only by MRET/SRET.
            expect(hart.instret == s.instret &+ 1, "a step without a trap retired \(hart.instret &- s.instret) instructions")
            let returned = hart.pc == s.mepc || hart.pc == s.sepc || hart.pc == s.vsepc
            if now != s.mode || returned { checkReturn(s) }
            return false
        }
        let code = UInt64(index)
        causesSeen.insert(code)
        expect(hart.instret == s.instret, "the trapping instruction retired")
        expect(SpecCauses.exceptions(h: h).contains(code), "exception \(code) is not one this ISA raises")
        let mmu = SpecMMU(bus: bus, snapshot: s)
        let bits = mmu.instruction(at: s.pc, s.mode)
        let op = bits.flatMap { MemoryOp.decode($0, h: h, fd: fd) }
        // Where the cause may come from.
        switch code {
        case 8: expect(s.mode.priv == .user, "ecall cause 8 from \(s.mode)")
        case 9: expect(s.mode == .hs, "ecall cause 9 from \(s.mode)")
        case 10: expect(s.mode == .vs, "ecall cause 10 from \(s.mode)")
        case 11: expect(s.mode == .m, "ecall cause 11 from \(s.mode)")
        case 22, 20: expect(s.mode.virt, "cause \(code) from \(s.mode) (V = 0)")
        default: break
        }
        let target = expectedTarget(s, interrupt: false, code: code)
        let tval = trapValue(target)
        if checkTrapEntry(s, interrupt: false, code: code, target: target, tval: tval, bits: bits, op: op) {
            checkTrapValue(s, mmu: mmu, code: code, tval: tval, bits: bits, op: op, target: target)
        }
        return true
    }

    /// Where delegation sends a trap of `code` taken in the snapshot's mode (machine.adoc
    /// "Machine Trap Delegation": traps never go to a less privileged mode; hypervisor.adoc
    /// norm:H_trap_deleg, norm:hedeleg_op, norm:hideleg_op).
    func expectedTarget(_ s: HartSnapshot, interrupt: Bool, code: UInt64) -> Mode {
        if s.mode == .m { return .m }
        let deleg = interrupt ? s.mideleg : s.medeleg
        guard deleg & (1 << code) != 0 else { return .m }
        let hdeleg = interrupt ? s.hideleg : s.hedeleg
        return s.mode.virt && hdeleg & (1 << code) != 0 ? .vs : .hs
    }

    func trapValue(_ target: Mode) -> UInt64 {
        switch target {
        case .m: return hart.mtval
        case .hs: return hart.stval
        default: return hart.vstval
        }
    }

    /// The CSR writes of trap entry (machine.adoc norm:mepc_op, norm:mcause_op, "Privilege and
    /// Global Interrupt-Enable Stack"; supervisor.adoc "Supervisor Status"; hypervisor.adoc
    /// "Trap Entry" with tables h-mpp, h-spp, h-vspp and norm:hstatus_gva_op).
    /// Returns false when the trap went elsewhere (the rest is not checked then).
    @discardableResult
    func checkTrapEntry(_ s: HartSnapshot, interrupt: Bool, code: UInt64, target: Mode, tval: UInt64,
                        bits: UInt32?, op: MemoryOp?) -> Bool {
        let key = (interrupt ? 1 << 63 : 0) | code | UInt64(s.mode.priv.rawValue) << 8 | (s.mode.virt ? 1 << 10 : 0)
        sameTrapRun = key == lastTrap ? sameTrapRun + 1 : 0
        lastTrap = key
        let now = Mode(priv: hart.priv, virt: hart.virt)
        let what = "\(interrupt ? "interrupt" : "exception") \(code) from \(s.mode) at \(hex(s.pc))"
        expect(now == target, "\(what) went to \(now), delegation says \(target) (medeleg \(hex(s.medeleg)) hedeleg \(hex(s.hedeleg)) mideleg \(hex(s.mideleg)) hideleg \(hex(s.hideleg)))")
        guard now == target else { return false }
        let flag: UInt64 = interrupt ? 1 << 63 : 0
        // VS-level interrupts reach VS as the supervisor ones (norm:hideleg_trans).
        let reported = target == .vs && interrupt && [2, 6, 10].contains(code) ? code - 1 : code
        let (cause, epc, tvec): (UInt64, UInt64, UInt64)
        switch target {
        case .m: (cause, epc, tvec) = (hart.mcause, hart.mepc, s.mtvec)
        case .hs: (cause, epc, tvec) = (hart.scause, hart.sepc, s.stvec)
        default: (cause, epc, tvec) = (hart.vscause, hart.vsepc, s.vstvec)
        }
        expect(cause == flag | reported, "\(what): cause register \(hex(cause)), expected \(hex(flag | reported))")
        expect(epc == s.pc, "\(what): xepc \(hex(epc)), not the trapping instruction")
        let vector = interrupt && tvec & 1 == 1 ? (tvec & ~3) &+ 4 &* reported : tvec & ~3
        expect(hart.pc == vector, "\(what): pc \(hex(hart.pc)), the vector is \(hex(vector)) (tvec \(hex(tvec)))")
        if target == .vs {
            expect(!SpecCauses.neverToVS.contains(code) || interrupt, "\(what): exception \(code) reached VS")
            expect(!interrupt || [1, 5, 9].contains(reported), "\(what): vscause interrupt \(reported)")
        }
        if target != .m { expect(interrupt || code != 11, "\(what): an M ecall was delegated") }

        // The guest virtual address flag: set when xtval holds a guest virtual address.
        let dataVirtual = op.map { dataMode(s, $0).virt } ?? s.mode.virt
        let addressInTval: Bool
        switch code {
        case _ where interrupt: addressInTval = false
        case 0, 1, 3, 12, 20: addressInTval = s.mode.virt
        case 4, 5, 6, 7, 13, 15, 21, 23: addressInTval = dataVirtual
        default: addressInTval = false
        }
        // This board always writes the address, so GVA follows the cause and the mode alone.
        let gva = addressInTval
        let wasS = s.mode.priv == .supervisor
        switch target {
        case .m:
            let st = hart.mstatus
            expect((st >> Mstatus.MPPShift) & 3 == UInt64(s.mode.priv.rawValue), "\(what): MPP \((st >> Mstatus.MPPShift) & 3)")
            expect((st & Mstatus.MPIE != 0) == (s.mstatus & Mstatus.MIE != 0), "\(what): MPIE is not the old MIE")
            expect(st & Mstatus.MIE == 0, "\(what): MIE still set")
            if h {
                expect((st & Mstatus.MPV != 0) == s.mode.virt, "\(what): MPV \(st & Mstatus.MPV != 0)")
                expect((st & Mstatus.GVA != 0) == gva, "\(what): mstatus.GVA \(st & Mstatus.GVA != 0), expected \(gva)")
            }
        case .hs:
            let st = hart.mstatus
            expect((st & Mstatus.SPP != 0) == wasS, "\(what): SPP")
            expect((st & Mstatus.SPIE != 0) == (s.mstatus & Mstatus.SIE != 0), "\(what): SPIE is not the old SIE")
            expect(st & Mstatus.SIE == 0, "\(what): SIE still set")
            if h {
                let hs = hart.hstatus
                expect((hs & Hstatus.SPV != 0) == s.mode.virt, "\(what): SPV")
                let spvp = s.mode.virt ? wasS : s.hstatus & Hstatus.SPVP != 0
                expect((hs & Hstatus.SPVP != 0) == spvp, "\(what): SPVP \(hs & Hstatus.SPVP != 0), expected \(spvp)")
                expect((hs & Hstatus.GVA != 0) == gva, "\(what): hstatus.GVA \(hs & Hstatus.GVA != 0), expected \(gva)")
            }
        default:
            let st = hart.vsstatus
            expect((st & Mstatus.SPP != 0) == wasS, "\(what): vsstatus.SPP")
            expect((st & Mstatus.SPIE != 0) == (s.vsstatus & Mstatus.SIE != 0), "\(what): vsstatus.SPIE is not the old SIE")
            expect(st & Mstatus.SIE == 0, "\(what): vsstatus.SIE still set")
            expect(hart.hstatus == s.hstatus, "\(what): a trap into VS changed hstatus")
            let hsBits = Mstatus.SPP | Mstatus.SPIE | Mstatus.SIE | Mstatus.MPP | Mstatus.MPIE | Mstatus.MIE
            expect(hart.mstatus & hsBits == s.mstatus & hsBits, "\(what): a trap into VS changed mstatus")
        }
        if interrupt {
            expect(tval == 0, "\(what): xtval \(hex(tval)) for an interrupt (machine.adoc norm:mtval_other_traps_zero)")
            if h && target != .vs {
                let (tval2, tinst) = target == .m ? (hart.mtval2, hart.mtinst) : (hart.htval, hart.htinst)
                expect(tval2 == 0 && tinst == 0, "\(what): second trap value \(hex(tval2)), trap instruction \(hex(tinst)) (norm:H_trap_xtinst_interrupt)")
            }
        }
        return true
    }

    /// The mode loads and stores of `op` use: HLV/HSV as VS or VU by hstatus.SPVP, else MPP
    /// and MPV under MPRV in M (machine.adoc "Memory Privilege in mstatus Register";
    /// hypervisor.adoc "Hypervisor Virtual-Machine Load and Store Instructions").
    func dataMode(_ s: HartSnapshot, _ op: MemoryOp) -> Mode {
        if op.hypervisor { return Mode(priv: s.hstatus & Hstatus.SPVP != 0 ? .supervisor : .user, virt: true) }
        if s.mode == .m && s.mstatus & Mstatus.MPRV != 0 {
            let mpp = Privilege(rawValue: UInt8((s.mstatus >> Mstatus.MPPShift) & 3)) ?? .user
            return Mode(priv: mpp, virt: mpp != .machine && s.mstatus & Mstatus.MPV != 0)
        }
        return s.mode
    }

    /// xtval, and with H the second trap value and trap instruction, for an exception.
    func checkTrapValue(_ s: HartSnapshot, mmu: SpecMMU, code: UInt64, tval: UInt64, bits: UInt32?,
                                 op: MemoryOp?, target: Mode) {
        let what = "exception \(code) from \(s.mode) at \(hex(s.pc)) (\(bits.map { hex(UInt64($0)) } ?? "unfetchable"))"
        var expectedTval2: UInt64 = 0
        var allowedTinst: Set<UInt64> = [0]
        switch code {
        case 2, 22:
            // The instruction, right-justified (norm:mtval_instr_bits_lead-in, norm:H_virtinst_xtval).
            expect(bits != nil && tval == UInt64(bits!), "\(what): xtval \(hex(tval)) is not the instruction")
            // Every case of "Trap Cause Codes" that raises a virtual-instruction exception is a
            // SYSTEM instruction: CSR accesses, HLV/HLVX/HSV/HFENCE, WFI, SRET, SFENCE.VMA.
            if code == 22 { expect(bits.map { $0 & 0x7F == 0x73 } ?? false, "\(what): virtual instruction for a non-SYSTEM instruction") }
        case 3:
            expect(bits == 0x0010_0073 || bits == 0x9002, "\(what): a breakpoint from something else than EBREAK")
            expect(tval == s.pc, "\(what): xtval \(hex(tval)), the board writes the pc")
        case 8, 9, 10, 11:
            expect(bits == 0x0000_0073, "\(what): an ecall cause from something else than ECALL")
            expect(tval == 0, "\(what): xtval \(hex(tval)) for ECALL")
        case 1, 12, 20:
            // The faulting portion of the instruction: its start, or the next page for a
            // 32-bit instruction whose upper half lies there (norm:mtval_varlen_wr, norm:H_straddle).
            let straddles = s.pc & 0xFFF == 0xFFE
            expect(tval == s.pc || (straddles && tval == s.pc &+ 2), "\(what): xtval \(hex(tval)) is not the fetched address")
            let walk = mmu.translate(tval, .execute, s.mode)
            switch (code, walk) {
            case (1, .accessFault): break
            case (1, .ok(let pa)): expect(bus.memoryPointer(pa, size: 2, write: false) == nil, "\(what): fetch access fault on memory at \(hex(pa))")
            case (12, .pageFault): break
            case (20, .guestPageFault(let gpa, let implicit, let write)):
                expectedTval2 = gpa >> 2
                allowedTinst = implicit ? [write ? 0x3020 : 0x3000] : [0]
            default: fail("\(what): the spec's translation of \(hex(tval)) gives \(walk)")
            }
        case 4, 5, 6, 7, 13, 15, 21, 23:
            guard let op else {
                fail("\(what): a data fault from an instruction that is not a load, store or AMO")
                return
            }
            let isStore = [6, 7, 15, 23].contains(code)
            expect(isStore == (op.kind == .store), "\(what): a \(isStore ? "store" : "load") cause for a \(op.kind)")
            let ea = hart.register(op.base) &+ UInt64(bitPattern: op.offset)  // the registers are as before: it did not retire
            // The faulting portion of the access (norm:mtval_vaddr_wr1, norm:mtval_vaddr_wr2).
            expect(tval &- ea < op.size, "\(what): xtval \(hex(tval)) outside the access at \(hex(ea)) of \(op.size) bytes")
            // The board's choice: the transformed instruction (for FLW/FLD/FSW/FSD also 0,
            // which the spec allows for any instruction).
            allowedTinst = op.floatingPoint ? [0, op.transform(tval &- ea)] : [op.transform(tval &- ea)]
            if code == 4 || code == 6 {
                expect(tval == ea && ea % op.size != 0, "\(what): misaligned fault for \(hex(ea))")
                expect(op.atomic, "\(what): a misaligned fault for a plain load or store (this board does them)")
                break
            }
            let walk = mmu.translate(tval, op.kind == .load ? .read : .write, dataMode(s, op), hlvx: op.hlvx)
            switch (code, walk) {
            case (5, .accessFault), (7, .accessFault): break
            case (5, .ok(let pa)), (7, .ok(let pa)):
                expect(pa < Self.ram || pa >= Self.ram + Self.ramSize, "\(what): access fault on RAM at \(hex(pa))")
            case (13, .pageFault), (15, .pageFault): break
            case (21, .guestPageFault(let gpa, let implicit, let write)), (23, .guestPageFault(let gpa, let implicit, let write)):
                expectedTval2 = gpa >> 2
                if implicit { allowedTinst = [write ? 0x3020 : 0x3000] }
            default: fail("\(what): the spec's translation of \(hex(tval)) for \(dataMode(s, op)) gives \(walk)")
            }
        default:
            break
        }
        guard h, target != .vs else { return }
        let (tval2, tinst) = target == .m ? (hart.mtval2, hart.mtinst) : (hart.htval, hart.htinst)
        // norm:htval_trapval / norm:mtval2_htval_virtaddr (this board writes the address).
        expect(tval2 == expectedTval2, "\(what): htval/mtval2 \(hex(tval2)), expected \(hex(expectedTval2))")
        expect(allowedTinst.contains(tinst), "\(what): htinst/mtinst \(hex(tinst)), expected one of \(allowedTinst.map { hex($0) })")
    }

    /// MRET and SRET (machine.adoc "Trap-Return Instructions"; hypervisor.adoc
    /// norm:mret_h, norm:sret_v0, "Trap Return" with V = 1).
    func checkReturn(_ s: HartSnapshot) {
        let now = Mode(priv: hart.priv, virt: hart.virt)
        let mmu = SpecMMU(bus: bus, snapshot: s)
        let bits = mmu.instruction(at: s.pc, s.mode)
        let what = "\(bits.map { hex(UInt64($0)) } ?? "?") at \(hex(s.pc)) in \(s.mode)"
        switch bits {
        case 0x3020_0073? where s.mode == .m:
            let mpp = Privilege(rawValue: UInt8((s.mstatus >> Mstatus.MPPShift) & 3)) ?? .user
            let to = Mode(priv: mpp, virt: mpp != .machine && s.mstatus & Mstatus.MPV != 0)
            expect(now == to, "\(what): MRET went to \(now), MPP/MPV say \(to)")
            expect(hart.pc == s.mepc, "\(what): MRET went to \(hex(hart.pc)), mepc is \(hex(s.mepc))")
            let st = hart.mstatus
            expect((st >> Mstatus.MPPShift) & 3 == 0 && st & Mstatus.MPV == 0, "\(what): MPP/MPV not cleared")
            expect((st & Mstatus.MIE != 0) == (s.mstatus & Mstatus.MPIE != 0) && st & Mstatus.MPIE != 0, "\(what): MIE/MPIE")
            if mpp != .machine { expect(st & Mstatus.MPRV == 0, "\(what): MPRV kept") }
        case 0x1020_0073? where s.mode.priv != .user && !s.mode.virt:
            let to = Mode(priv: s.mstatus & Mstatus.SPP != 0 ? .supervisor : .user, virt: h && s.hstatus & Hstatus.SPV != 0)
            expect(now == to, "\(what): SRET went to \(now), SPP/SPV say \(to)")
            expect(hart.pc == s.sepc, "\(what): SRET went to \(hex(hart.pc)), sepc is \(hex(s.sepc))")
            let st = hart.mstatus
            expect(st & Mstatus.SPP == 0 && st & Mstatus.MPRV == 0, "\(what): SPP/MPRV not cleared")
            expect((st & Mstatus.SIE != 0) == (s.mstatus & Mstatus.SPIE != 0) && st & Mstatus.SPIE != 0, "\(what): SIE/SPIE")
            if h { expect(hart.hstatus & Hstatus.SPV == 0, "\(what): SPV not cleared") }
        case 0x1020_0073? where s.mode == .vs:
            let to = Mode(priv: s.vsstatus & Mstatus.SPP != 0 ? .supervisor : .user, virt: true)
            expect(now == to, "\(what): SRET in VS went to \(now), vsstatus.SPP says \(to)")
            expect(hart.pc == s.vsepc, "\(what): SRET went to \(hex(hart.pc)), vsepc is \(hex(s.vsepc))")
            let st = hart.vsstatus
            expect(st & Mstatus.SPP == 0 && (st & Mstatus.SIE != 0) == (s.vsstatus & Mstatus.SPIE != 0) && st & Mstatus.SPIE != 0,
                   "\(what): vsstatus SPP/SIE/SPIE")
        default:
            // A jump that happens to land on an xepc is fine; a mode change is not.
            expect(now == s.mode, "\(what): the mode changed from \(s.mode) to \(now) without a trap or an xRET")
        }
    }
}
