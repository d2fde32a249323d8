/// The classic trap-and-emulate VMM's model of a guest's supervisor mode (issue 17 item 1;
/// Popek & Goldberg 1974; docs/popek-goldberg.md): when the board has no H extension, the
/// guest kernel runs in real U-mode, every privileged instruction it executes traps to the
/// VMM as an illegal instruction, and the VMM carries it out on this virtual S state: the
/// S-level CSRs (Priv. §12.1), the virtual privilege (S or U), and the rules of SRET
/// (§12.1.1 "sstatus"), trap entry (§12.1.1, §12.1.2 "stvec") and interrupt delivery
/// (§12.1.3 "sip and sie", §3.1.9 priority order). Pure state and rules, no hardware
/// access: the firmware moves the guest's registers and pc, and tests drive it on the host.
public struct VirtualSupervisor: Equatable {
    /// The guest's virtual privilege: 1 = S (its kernel), 0 = U (its user programs). Both
    /// run in real U-mode.
    public var privilege: UInt64 = 1
    public var sstatus: UInt64 = 0
    public var sie: UInt64 = 0
    /// The pending bits the guest sees: SSIP (writable by it), STIP (its timer), SEIP (its
    /// interrupt controller) — the VMM sets the last two.
    public var sip: UInt64 = 0
    public var stvec: UInt64 = 0
    public var sscratch: UInt64 = 0
    public var sepc: UInt64 = 0
    public var scause: UInt64 = 0
    public var stval: UInt64 = 0
    public var satp: UInt64 = 0
    public var stimecmp: UInt64 = UInt64.max
    public var scounteren: UInt64 = 0
    public var senvcfg: UInt64 = 0

    public init() {}

    // sstatus fields (Priv. §12.1.1).
    public static let SIE: UInt64 = 1 << 1
    public static let SPIE: UInt64 = 1 << 5
    public static let SPP: UInt64 = 1 << 8
    public static let FS: UInt64 = 3 << 13
    public static let SUM: UInt64 = 1 << 18
    public static let MXR: UInt64 = 1 << 19
    /// UXL = 2 (64-bit U-mode), read-only.
    public static let UXL64: UInt64 = 2 << 32
    public static let SD: UInt64 = 1 << 63
    /// What a guest may write in sstatus (SIE, SPIE, SPP, FS, SUM, MXR).
    public static let sstatusWritable: UInt64 = SIE | SPIE | SPP | FS | SUM | MXR
    // Interrupt bits (sip/sie): SSI 1, STI 5, SEI 9.
    public static let SSIP: UInt64 = 1 << 1
    public static let STIP: UInt64 = 1 << 5
    public static let SEIP: UInt64 = 1 << 9
    public static let interruptMask: UInt64 = SSIP | STIP | SEIP

    /// The CSR numbers this model holds (Priv. Table "Currently allocated RISC-V
    /// supervisor-level CSR addresses").
    public enum CSRNumber {
        public static let sstatus: UInt16 = 0x100, sie: UInt16 = 0x104, stvec: UInt16 = 0x105
        public static let scounteren: UInt16 = 0x106, senvcfg: UInt16 = 0x10A, sscratch: UInt16 = 0x140
        public static let sepc: UInt16 = 0x141, scause: UInt16 = 0x142, stval: UInt16 = 0x143
        public static let sip: UInt16 = 0x144, stimecmp: UInt16 = 0x14D, satp: UInt16 = 0x180
    }

    /// Reads CSR `number` as the guest's kernel would (nil: not one of the S CSRs here, or
    /// the guest is in its U-mode, where every one of them is an illegal instruction).
    public func read(_ number: UInt16) -> UInt64? {
        guard privilege == 1 else { return nil }
        switch number {
        case CSRNumber.sstatus:
            // FS: the VMM does not see the guest's FP writes, so a state that is on reads
            // Dirty, which §3.1.6.6 allows ("imprecisely ... reporting the state to be
            // dirty even when it has not been modified"): the guest kernel then saves its
            // processes' FP registers on every switch, as it must.
            let fsOn = sstatus & Self.FS != 0
            return (sstatus & Self.sstatusWritable & ~Self.FS) | Self.UXL64 | (fsOn ? Self.FS | Self.SD : 0)
        case CSRNumber.sie: return sie & Self.interruptMask
        case CSRNumber.sip: return sip & Self.interruptMask
        case CSRNumber.stvec: return stvec
        case CSRNumber.scounteren: return scounteren
        case CSRNumber.senvcfg: return senvcfg
        case CSRNumber.sscratch: return sscratch
        case CSRNumber.sepc: return sepc
        case CSRNumber.scause: return scause
        case CSRNumber.stval: return stval
        case CSRNumber.stimecmp: return stimecmp
        case CSRNumber.satp: return satp
        default: return nil
        }
    }

    /// Writes CSR `number` with its WARL rules (false: not an S CSR here, or virtual U-mode).
    /// `satpModes`: the translation modes the VMM can shadow (a write of another MODE has no
    /// effect at all, §12.1.11).
    public mutating func write(_ number: UInt16, _ value: UInt64, satpModes: [UInt64] = [0, 8]) -> Bool {
        guard privilege == 1 else { return false }
        switch number {
        case CSRNumber.sstatus: sstatus = value & Self.sstatusWritable
        case CSRNumber.sie: sie = value & Self.interruptMask
        case CSRNumber.sip: sip = (sip & ~Self.SSIP) | (value & Self.SSIP)   // only SSIP is writable
        case CSRNumber.stvec:
            // MODE 0 (direct) or 1 (vectored); the reserved modes keep the old MODE (WARL).
            let mode = value & 3 <= 1 ? value & 3 : stvec & 3
            stvec = (value & ~3) | mode
        case CSRNumber.scounteren: scounteren = value & 7      // CY, TM, IR (no hpmcounters)
        case CSRNumber.senvcfg: senvcfg = value & 1            // FIOM
        case CSRNumber.sscratch: sscratch = value
        case CSRNumber.sepc: sepc = value & ~1                 // IALIGN 16 (C)
        case CSRNumber.scause: scause = value
        case CSRNumber.stval: stval = value
        case CSRNumber.stimecmp: stimecmp = value
        case CSRNumber.satp:
            guard satpModes.contains(value >> 60) else { return true }   // no effect, no trap
            satp = value                                       // ASIDLEN 16: ASIDs key the shadows
        default: return false
        }
        return true
    }

    /// A privileged instruction the guest executed in real U-mode (the illegal-instruction
    /// trap's mtval, or the word at mepc).
    public enum Instruction: Equatable {
        /// CSRRW/S/C (and the I forms, `immediate`): rd, the source register or 5-bit
        /// immediate, and the CSR (Unpriv. "Zicsr").
        case csr(function: UInt32, rd: Int, source: UInt64, immediate: Bool, csr: UInt16)
        case sret
        case wfi
        case sfenceVMA(rs1: Int, rs2: Int)
    }

    /// Decodes the instructions this model emulates (nil: anything else is the guest's own
    /// illegal instruction).
    public static func decode(_ insn: UInt32) -> Instruction? {
        guard insn & 0x7F == 0x73 else { return nil }
        let f3 = (insn >> 12) & 7, rd = Int((insn >> 7) & 31), rs1 = Int((insn >> 15) & 31)
        if f3 == 0 {
            if insn == 0x1020_0073 { return .sret }
            if insn == 0x1050_0073 { return .wfi }
            if insn >> 25 == 0x09 && rd == 0 { return .sfenceVMA(rs1: rs1, rs2: Int((insn >> 20) & 31)) }
            return nil
        }
        guard f3 != 4 else { return nil }
        return .csr(function: f3 & 3, rd: rd, source: UInt64(rs1), immediate: f3 >= 5, csr: UInt16(insn >> 20))
    }

    /// Carries out a CSR instruction: `operand` is rs1's value (or the immediate). Returns
    /// the value for rd, or nil when the instruction is illegal for the guest (virtual
    /// U-mode, an unknown CSR, or a write to a read-only one). CSRRS/CSRRC with x0 (or
    /// immediate 0) do not write (Unpriv. "CSR Instructions").
    public mutating func execute(function: UInt32, csr: UInt16, operand: UInt64, writes: Bool,
                                 satpModes: [UInt64] = [0, 8]) -> UInt64? {
        guard let old = read(csr) else { return nil }
        let new: UInt64
        switch function {
        case 1: new = operand
        case 2: new = old | operand
        case 3: new = old & ~operand
        default: return nil
        }
        if writes || function == 1 {
            guard write(csr, new, satpModes: satpModes) else { return nil }
        }
        return old
    }

    /// SRET from the guest's kernel (§12.1.1): privilege = SPP, SIE = SPIE, SPIE = 1,
    /// SPP = U; returns the pc to continue at (sepc). nil in virtual U-mode (an illegal
    /// instruction for the guest).
    public mutating func sret() -> UInt64? {
        guard privilege == 1 else { return nil }
        privilege = sstatus & Self.SPP != 0 ? 1 : 0
        let spie = sstatus & Self.SPIE != 0
        sstatus = (sstatus & ~(Self.SIE | Self.SPP)) | (spie ? Self.SIE : 0) | Self.SPIE
        return sepc
    }

    /// Enters the guest's trap handler for `cause` (bit 63 set for an interrupt) taken at
    /// `pc` (§12.1.1, §12.1.2): sepc, scause, stval, SPP = the privilege, SPIE = SIE,
    /// SIE = 0, privilege S. Returns the handler's pc (stvec's base, plus 4 × cause for an
    /// interrupt in vectored mode).
    public mutating func takeTrap(cause: UInt64, tval: UInt64, pc: UInt64) -> UInt64 {
        sepc = pc & ~1
        scause = cause
        stval = tval
        let sie = sstatus & Self.SIE != 0
        sstatus &= ~(Self.SPP | Self.SPIE | Self.SIE)
        if privilege == 1 { sstatus |= Self.SPP }
        if sie { sstatus |= Self.SPIE }
        privilege = 1
        let base = stvec & ~3
        let interrupt = cause >> 63 != 0
        return stvec & 3 == 1 && interrupt ? base &+ 4 &* (cause & 0x3F) : base
    }

    /// The interrupt the guest takes now, if any (§3.1.9, §12.1.3): the highest-priority
    /// one (SEI, then SSI, then STI) that is pending and enabled in sie, when the guest is
    /// in its U-mode or in S-mode with sstatus.SIE set. Its scause value (bit 63 set).
    public func pendingInterrupt() -> UInt64? {
        let ready = sip & sie & Self.interruptMask
        guard ready != 0, privilege == 0 || sstatus & Self.SIE != 0 else { return nil }
        for code: UInt64 in [9, 1, 5] where ready & (1 << code) != 0 { return (1 << 63) | code }
        return nil
    }
}
