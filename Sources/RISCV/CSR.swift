/// CSR addresses (Priv. §2.2 "CSR Listing", tables 3–9). Names keep the spec spelling.
/// Compiles for the host and for Embedded Swift (no Foundation).
public enum CSR {
    // Floating point (Unpriv. F "Floating-Point Control and Status Register")
    public static let fflags: UInt16 = 0x001
    public static let frm: UInt16 = 0x002
    public static let fcsr: UInt16 = 0x003

    // Unprivileged counters (Zicntr, Unpriv. "Counters")
    public static let cycle: UInt16 = 0xC00
    public static let time: UInt16 = 0xC01
    public static let instret: UInt16 = 0xC02
    public static let hpmcounter3: UInt16 = 0xC03
    public static let hpmcounter31: UInt16 = 0xC1F

    // Supervisor (Priv. §12.1)
    public static let sstatus: UInt16 = 0x100
    public static let sie: UInt16 = 0x104
    public static let stvec: UInt16 = 0x105
    public static let scounteren: UInt16 = 0x106
    public static let senvcfg: UInt16 = 0x10A
    public static let sscratch: UInt16 = 0x140
    public static let sepc: UInt16 = 0x141
    public static let scause: UInt16 = 0x142
    public static let stval: UInt16 = 0x143
    public static let sip: UInt16 = 0x144
    public static let stimecmp: UInt16 = 0x14D
    public static let satp: UInt16 = 0x180

    // Hypervisor and virtual supervisor (Priv. "Hypervisor Extension", H CSRs)
    public static let vsstatus: UInt16 = 0x200
    public static let vsie: UInt16 = 0x204
    public static let vstvec: UInt16 = 0x205
    public static let vsscratch: UInt16 = 0x240
    public static let vsepc: UInt16 = 0x241
    public static let vscause: UInt16 = 0x242
    public static let vstval: UInt16 = 0x243
    public static let vsip: UInt16 = 0x244
    public static let vstimecmp: UInt16 = 0x24D
    public static let vsatp: UInt16 = 0x280
    public static let hstatus: UInt16 = 0x600
    public static let hedeleg: UInt16 = 0x602
    public static let hideleg: UInt16 = 0x603
    public static let hie: UInt16 = 0x604
    public static let htimedelta: UInt16 = 0x605
    public static let hcounteren: UInt16 = 0x606
    public static let hgeie: UInt16 = 0x607
    public static let henvcfg: UInt16 = 0x60A
    public static let htval: UInt16 = 0x643
    public static let hip: UInt16 = 0x644
    public static let hvip: UInt16 = 0x645
    public static let htinst: UInt16 = 0x64A
    public static let hgatp: UInt16 = 0x680
    public static let hgeip: UInt16 = 0xE12

    // Machine information (Priv. §3.1.1–3.1.5)
    public static let mvendorid: UInt16 = 0xF11
    public static let marchid: UInt16 = 0xF12
    public static let mimpid: UInt16 = 0xF13
    public static let mhartid: UInt16 = 0xF14
    public static let mconfigptr: UInt16 = 0xF15

    // Machine trap setup and handling (Priv. §3.1.6–3.1.21)
    public static let mstatus: UInt16 = 0x300
    public static let misa: UInt16 = 0x301
    public static let medeleg: UInt16 = 0x302
    public static let mideleg: UInt16 = 0x303
    public static let mie: UInt16 = 0x304
    public static let mtvec: UInt16 = 0x305
    public static let mcounteren: UInt16 = 0x306
    public static let menvcfg: UInt16 = 0x30A
    public static let mcountinhibit: UInt16 = 0x320
    public static let mhpmevent3: UInt16 = 0x323
    public static let mhpmevent31: UInt16 = 0x33F
    public static let mscratch: UInt16 = 0x340
    public static let mepc: UInt16 = 0x341
    public static let mcause: UInt16 = 0x342
    public static let mtval: UInt16 = 0x343
    public static let mip: UInt16 = 0x344
    public static let mtinst: UInt16 = 0x34A
    public static let mtval2: UInt16 = 0x34B

    // Memory protection (Priv. §3.7)
    public static let pmpcfg0: UInt16 = 0x3A0
    public static let pmpcfg15: UInt16 = 0x3AF
    public static let pmpaddr0: UInt16 = 0x3B0
    public static let pmpaddr63: UInt16 = 0x3EF

    // Machine counters (Priv. §3.1.11)
    public static let mcycle: UInt16 = 0xB00
    public static let minstret: UInt16 = 0xB02
    public static let mhpmcounter3: UInt16 = 0xB03
    public static let mhpmcounter31: UInt16 = 0xB1F

    // Debug/trace triggers (Sdtrig): present with no triggers implemented.
    public static let tselect: UInt16 = 0x7A0
    public static let tdata1: UInt16 = 0x7A1
    public static let tdata2: UInt16 = 0x7A2
    public static let tdata3: UInt16 = 0x7A3
    public static let tinfo: UInt16 = 0x7A4
}

/// `mstatus` fields (Priv. §3.1.6, figure "Machine-mode status register for RV64").
public enum Mstatus {
    public static let SIE: UInt64 = 1 << 1
    public static let MIE: UInt64 = 1 << 3
    public static let SPIE: UInt64 = 1 << 5
    public static let UBE: UInt64 = 1 << 6
    public static let MPIE: UInt64 = 1 << 7
    public static let SPP: UInt64 = 1 << 8
    public static let VS: UInt64 = 3 << 9
    public static let MPP: UInt64 = 3 << 11
    public static let MPPShift: UInt64 = 11
    public static let FS: UInt64 = 3 << 13
    public static let XS: UInt64 = 3 << 15
    public static let MPRV: UInt64 = 1 << 17
    public static let SUM: UInt64 = 1 << 18
    public static let MXR: UInt64 = 1 << 19
    public static let TVM: UInt64 = 1 << 20
    public static let TW: UInt64 = 1 << 21
    public static let TSR: UInt64 = 1 << 22
    public static let UXL: UInt64 = 3 << 32
    public static let SXL: UInt64 = 3 << 34
    public static let SBE: UInt64 = 1 << 36
    public static let MBE: UInt64 = 1 << 37
    /// Guest virtual address in mtval (H).
    public static let GVA: UInt64 = 1 << 38
    /// Machine previous virtualization mode (H).
    public static let MPV: UInt64 = 1 << 39
    public static let SD: UInt64 = 1 << 63
    /// The bits `sstatus` shows of `mstatus` (Priv. §12.1.1).
    public static let sstatusMask: UInt64 = SIE | SPIE | UBE | SPP | VS | FS | XS | SUM | MXR | UXL | SD
}

/// Interrupt bit positions in mip/mie and interrupt cause codes (Priv. §3.1.9, table 14).
/// hstatus fields (Priv. H, "Hypervisor Status Register").
public enum Hstatus {
    public static let VSBE: UInt64 = 1 << 5
    public static let GVA: UInt64 = 1 << 6
    public static let SPV: UInt64 = 1 << 7
    public static let SPVP: UInt64 = 1 << 8
    public static let HU: UInt64 = 1 << 9
    public static let VGEIN: UInt64 = 0x3F << 12
    public static let VTVM: UInt64 = 1 << 20
    public static let VTW: UInt64 = 1 << 21
    public static let VTSR: UInt64 = 1 << 22
    public static let VSXL: UInt64 = 3 << 32
}

public enum Interrupt {
    public static let SSI: UInt64 = 1
    public static let VSSI: UInt64 = 2
    public static let VSTI: UInt64 = 6
    public static let VSEI: UInt64 = 10
    public static let SGEI: UInt64 = 12
    public static let VSSIP: UInt64 = 1 << VSSI
    public static let VSTIP: UInt64 = 1 << VSTI
    public static let VSEIP: UInt64 = 1 << VSEI
    public static let SGEIP: UInt64 = 1 << SGEI
    /// The VS-level interrupts (bits of hvip, hip, hie, and read-only one in mideleg).
    public static let virtualSupervisorMask: UInt64 = VSSIP | VSTIP | VSEIP
    public static let MSI: UInt64 = 3
    public static let STI: UInt64 = 5
    public static let MTI: UInt64 = 7
    public static let SEI: UInt64 = 9
    public static let MEI: UInt64 = 11
    public static let SSIP: UInt64 = 1 << SSI
    public static let MSIP: UInt64 = 1 << MSI
    public static let STIP: UInt64 = 1 << STI
    public static let MTIP: UInt64 = 1 << MTI
    public static let SEIP: UInt64 = 1 << SEI
    public static let MEIP: UInt64 = 1 << MEI
    /// Supervisor-level interrupts, delegable through mideleg.
    public static let supervisorMask: UInt64 = SSIP | STIP | SEIP
    /// Decreasing priority order for simultaneous interrupts (Priv. §3.1.9):
    /// MEI, MSI, MTI, SEI, SSI, STI.
    /// Decreasing priority (Priv. §3.1.9, and H "Hypervisor Interrupt Registers"):
    /// MEI, MSI, MTI, SEI, SSI, STI, SGEI, VSEI, VSSI, VSTI.
    public static let priorityOrder: [UInt64] = [MEI, MSI, MTI, SEI, SSI, STI, SGEI, VSEI, VSSI, VSTI]
}

/// Synchronous exception codes (Priv. §3.1.15, table 14).
public enum Cause: UInt64, CaseIterable, Sendable {
    case instructionAddressMisaligned = 0
    case instructionAccessFault = 1
    case illegalInstruction = 2
    case breakpoint = 3
    case loadAddressMisaligned = 4
    case loadAccessFault = 5
    case storeAddressMisaligned = 6
    case storeAccessFault = 7
    case ecallFromU = 8
    case ecallFromS = 9
    case ecallFromVS = 10
    case ecallFromM = 11
    case instructionPageFault = 12
    case loadPageFault = 13
    case storePageFault = 15
    case instructionGuestPageFault = 20
    case loadGuestPageFault = 21
    case virtualInstruction = 22
    case storeGuestPageFault = 23

    /// Short name used in statistics and traces.
    public var name: String {
        switch self {
        case .instructionAddressMisaligned: return "instruction address misaligned"
        case .instructionAccessFault: return "instruction access fault"
        case .illegalInstruction: return "illegal instruction"
        case .breakpoint: return "breakpoint"
        case .loadAddressMisaligned: return "load address misaligned"
        case .loadAccessFault: return "load access fault"
        case .storeAddressMisaligned: return "store/AMO address misaligned"
        case .storeAccessFault: return "store/AMO access fault"
        case .ecallFromU: return "ecall from U"
        case .ecallFromS: return "ecall from S"
        case .ecallFromVS: return "ecall from VS"
        case .ecallFromM: return "ecall from M"
        case .instructionPageFault: return "instruction page fault"
        case .loadPageFault: return "load page fault"
        case .storePageFault: return "store/AMO page fault"
        case .instructionGuestPageFault: return "instruction guest-page fault"
        case .loadGuestPageFault: return "load guest-page fault"
        case .virtualInstruction: return "virtual instruction"
        case .storeGuestPageFault: return "store/AMO guest-page fault"
        }
    }
}

/// A trap cause's name: an interrupt's or an exception's, by code ("exception N" for codes
/// the ISA does not define).
public func causeName(interrupt: Bool, code: UInt64) -> String {
    interrupt ? interruptName(code) : (Cause(rawValue: code)?.name ?? "exception \(code)")
}

/// Interrupt cause names, by code.
public func interruptName(_ code: UInt64) -> String {
    switch code {
    case Interrupt.SSI: return "supervisor software interrupt"
    case Interrupt.MSI: return "machine software interrupt"
    case Interrupt.STI: return "supervisor timer interrupt"
    case Interrupt.MTI: return "machine timer interrupt"
    case Interrupt.SEI: return "supervisor external interrupt"
    case Interrupt.MEI: return "machine external interrupt"
    case Interrupt.VSSI: return "virtual supervisor software interrupt"
    case Interrupt.VSTI: return "virtual supervisor timer interrupt"
    case Interrupt.VSEI: return "virtual supervisor external interrupt"
    case Interrupt.SGEI: return "supervisor guest external interrupt"
    default: return "interrupt \(code)"
    }
}

/// Privilege levels (Priv. §1.2, table 1).
public enum Privilege: UInt8, Sendable {
    case user = 0
    case supervisor = 1
    case machine = 3

    public var letter: String {
        switch self {
        case .user: return "U"
        case .supervisor: return "S"
        case .machine: return "M"
        }
    }
}

/// `satp` modes (Priv. §12.1.11, table "Encoding of satp MODE field").
public enum SatpMode {
    public static let bare: UInt64 = 0
    public static let sv39: UInt64 = 8
    public static let sv48: UInt64 = 9
    public static let sv57: UInt64 = 10
}

/// Page-table entry bits (Priv. §12.3.1).
/// hgatp MODE values (Priv. H, "hgatp"): Sv39x4 and Sv48x4 widen the guest physical
/// address by two bits and use a 16 KiB root table.
public enum HgatpMode {
    public static let bare: UInt64 = 0
    public static let sv39x4: UInt64 = 8
    public static let sv48x4: UInt64 = 9
    /// Sv57x4 (with Sv57): a 59-bit guest physical address (H "hgatp").
    public static let sv57x4: UInt64 = 10
}

public enum PTE {
    public static let V: UInt64 = 1 << 0
    public static let R: UInt64 = 1 << 1
    public static let W: UInt64 = 1 << 2
    public static let X: UInt64 = 1 << 3
    public static let U: UInt64 = 1 << 4
    public static let G: UInt64 = 1 << 5
    public static let A: UInt64 = 1 << 6
    public static let D: UInt64 = 1 << 7
    public static let ppnShift: UInt64 = 10
    /// PPN field, bits 53:10.
    public static let ppnMask: UInt64 = ((1 << 44) - 1) << 10
    /// Bits 63:54: PBMT (62:61), N (63) and reserved (60:54); zero when Svpbmt/Svnapot are absent.
    public static let highMask: UInt64 = 0x3FF << 54
    /// N (Svnapot): a leaf that is part of a naturally aligned power-of-2 range (priv. "Svnapot").
    public static let N: UInt64 = 1 << 63
    /// PBMT, bits 62:61 (Svpbmt): 0 PMA, 1 NC, 2 IO, 3 reserved (priv. "Svpbmt").
    public static let pbmtMask: UInt64 = 3 << 61
    public static let pbmtShift: UInt64 = 61
    /// Bits 60:54: reserved for future standard use in every PTE (a page fault when set).
    public static let reservedMask: UInt64 = 0x7F << 54
}

/// Fields of menvcfg, senvcfg and henvcfg (Priv. "Machine Environment Configuration
/// Register", "Supervisor Environment Configuration Register", H "henvcfg"). senvcfg has
/// FIOM and the CBO enables only.
public enum Envcfg {
    /// Fence of I/O implies memory.
    public static let FIOM: UInt64 = 1 << 0
    /// CBO.INVAL enable (Zicbom): 00 illegal, 01 performs a flush, 11 an invalidate; 10 reserved.
    public static let CBIE: UInt64 = 3 << 4
    public static let CBIEShift: UInt64 = 4
    /// CBO.CLEAN / CBO.FLUSH enable (Zicbom).
    public static let CBCFE: UInt64 = 1 << 6
    /// CBO.ZERO enable (Zicboz).
    public static let CBZE: UInt64 = 1 << 7
    /// Svpbmt available for S-mode and G-stage (menvcfg) or VS-stage (henvcfg) translation.
    public static let PBMTE: UInt64 = 1 << 62
    /// Sstc: stimecmp (menvcfg) / vstimecmp (henvcfg) enabled.
    public static let STCE: UInt64 = 1 << 63
}

/// `misa` letters (Priv. §3.1.1).
public enum MISA {
    /// The misa bit of an extension letter, e.g. `MISA.bit("I")`.
    public static func bit(_ letter: Unicode.Scalar) -> UInt64 {
        1 << UInt64(letter.value &- 65)
    }
    public static let mxl64: UInt64 = 2 << 62
}
