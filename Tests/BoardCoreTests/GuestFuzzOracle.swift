@testable import BoardCore
import RISCV

// The privileged spec's rules for traps, written from the spec (../shared/specs/riscv-priv)
// independently of the board's code, for GuestFuzzTests to hold every trap against. Section
// names are those of machine.adoc, supervisor.adoc and hypervisor.adoc; norm:… are the
// spec's anchors.

// MARK: - Cause codes

enum SpecCauses {
    /// Exception codes this hart may raise (machine.adoc "Machine Cause (mcause) Register",
    /// table "mcause values after trap"; hypervisor.adoc "Trap Cause Codes" with H).
    /// Reserved codes (14, 16–19 unimplemented, 24+) never appear. 0 does not either: with
    /// C (misa is read-only here) IALIGN = 16, JALR clears bit 0 and branch offsets are
    /// even, so no target is misaligned (Unpriv. "Control Transfer Instructions").
    static func exceptions(h: Bool) -> Set<UInt64> {
        var codes: Set<UInt64> = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15]
        if h { codes.formUnion([10, 20, 21, 22, 23]) }
        return codes
    }

    /// Interrupt codes this hart may take: SSI/MSI, STI/MTI, SEI/MEI; with H the VS-level
    /// ones 2/6/10. Not 12 (SGEI: GEILEN = 0 on this board, docs/architecture.md "Board
    /// III") nor 13 (LCOFI needs Sscofpmf).
    static func interrupts(h: Bool) -> Set<UInt64> {
        var codes: Set<UInt64> = [1, 3, 5, 7, 9, 11]
        if h { codes.formUnion([2, 6, 10]) }
        return codes
    }

    /// hedeleg bits that are read-only zero (hypervisor.adoc table "Bits of hedeleg that
    /// must be writable or must be read-only zero"): these never reach VS-mode.
    static let neverToVS: Set<UInt64> = [9, 10, 11, 16, 19, 20, 21, 22, 23]

    /// Decreasing interrupt priority within one destination mode (machine.adoc "Machine
    /// Interrupt (mip and mie) Registers": MEI, MSI, MTI, SEI, SSI, STI, LCOFI; hypervisor.adoc
    /// norm:hsint_priority: SEI, SSI, STI, SGEI, VSEI, VSSI, VSTI, LCOFI).
    static let interruptPriority: [UInt64] = [11, 3, 7, 9, 1, 5, 12, 10, 2, 6, 13]

    static let fetchFaults: Set<UInt64> = [1, 12, 20]
    static let dataFaults: Set<UInt64> = [4, 5, 6, 7, 13, 15, 21, 23]
    static let guestPageFaults: Set<UInt64> = [20, 21, 23]
}

// MARK: - The five modes

/// M, HS (or S without H), U, VS, VU.
struct Mode: Equatable, CustomStringConvertible {
    var priv: Privilege
    var virt: Bool

    static let m = Mode(priv: .machine, virt: false)
    static let hs = Mode(priv: .supervisor, virt: false)
    static let u = Mode(priv: .user, virt: false)
    static let vs = Mode(priv: .supervisor, virt: true)
    static let vu = Mode(priv: .user, virt: true)

    var description: String {
        switch (priv, virt) {
        case (.machine, _): return "M"
        case (.supervisor, false): return "HS"
        case (.user, false): return "U"
        case (.supervisor, true): return "VS"
        case (.user, true): return "VU"
        }
    }
}

// MARK: - Hart state before a step

/// The architectural state a step's checks compare against (read before the step).
struct HartSnapshot {
    var pc: UInt64
    var mode: Mode
    var instret: UInt64
    var mstatus: UInt64, vsstatus: UInt64, hstatus: UInt64
    var medeleg: UInt64, mideleg: UInt64, hedeleg: UInt64, hideleg: UInt64
    var mtvec: UInt64, stvec: UInt64, vstvec: UInt64
    var mepc: UInt64, sepc: UInt64, vsepc: UInt64
    var satp: UInt64, vsatp: UInt64, hgatp: UInt64
    var exceptions: [UInt64]

    init(_ hart: Hart) {
        pc = hart.pc
        mode = Mode(priv: hart.priv, virt: hart.virt)
        instret = hart.instret
        mstatus = hart.mstatus; vsstatus = hart.vsstatus; hstatus = hart.hstatus
        medeleg = hart.medeleg; mideleg = hart.mideleg; hedeleg = hart.hedeleg; hideleg = hart.hideleg
        mtvec = hart.mtvec; stvec = hart.stvec; vstvec = hart.vstvec
        mepc = hart.mepc; sepc = hart.sepc; vsepc = hart.vsepc
        satp = hart.satp; vsatp = hart.vsatp; hgatp = hart.hgatp
        exceptions = hart.stats.exceptions
    }
}

// MARK: - Instructions that access memory

/// A load, store, AMO or HLV/HLVX/HSV, decoded from its bits (Unpriv. "Load and Store
/// Instructions", "A" chapter, C "Load and Store Instructions"; hypervisor.adoc "Hypervisor
/// Virtual-Machine Load and Store Instructions").
struct MemoryOp {
    enum Kind { case load, store }
    /// LR is a load; SC and AMOs are stores (machine.adoc norm:mcause_exccode_st_sc_amo).
    var kind: Kind
    var base: Int
    var offset: Int64
    var size: UInt64
    /// LR/SC/AMO: a misaligned address raises an address-misaligned (or access) exception.
    var atomic = false
    /// HLV/HLVX/HSV: translated as VS or VU (hstatus.SPVP) with two stages.
    var hypervisor = false
    var hlvx = false
    /// FLW/FLD/FSW/FSD and their compressed forms.
    var floatingPoint = false
    /// The transformed instruction for htinst/mtinst, given the Addr. Offset (hypervisor.adoc
    /// "Transformed Instruction or Pseudoinstruction for mtinst or htinst").
    var transform: (UInt64) -> UInt64

    static func decode(_ bits: UInt32, h: Bool, fd: Bool) -> MemoryOp? {
        func field(_ hi: UInt32, _ lo: UInt32) -> UInt32 { (bits >> lo) & ((1 << (hi - lo + 1)) - 1) }
        if bits & 3 != 3 { return decodeCompressed(UInt16(truncatingIfNeeded: bits), fd: fd) }
        let opcode = bits & 0x7F, f3 = field(14, 12), rd = field(11, 7), rs1 = Int(field(19, 15)), rs2 = field(24, 20)
        let keepAllButRS1 = { (offset: UInt64) in UInt64(bits & ~(0x1F << 15)) | (offset << 15) }
        let loadOffset = Int64(Int32(bitPattern: bits) >> 20)
        let storeOffset = Int64(Int32(bitPattern: bits & 0xFE00_0000) >> 20) | Int64(field(11, 7))
        switch opcode {
        case 0x03 where f3 != 7:  // LB LH LW LD LBU LHU LWU
            return MemoryOp(kind: .load, base: rs1, offset: loadOffset, size: 1 << UInt64(f3 & 3)) { offset in
                (offset << 15) | UInt64(f3 << 12) | UInt64(rd << 7) | 0x03
            }
        case 0x23 where f3 <= 3:  // SB SH SW SD
            return MemoryOp(kind: .store, base: rs1, offset: storeOffset, size: 1 << UInt64(f3)) { offset in
                UInt64(rs2 << 20) | (offset << 15) | UInt64(f3 << 12) | 0x23
            }
        case 0x07 where fd && (f3 == 2 || f3 == 3):  // FLW FLD
            return MemoryOp(kind: .load, base: rs1, offset: loadOffset, size: f3 == 2 ? 4 : 8, floatingPoint: true) { offset in
                (offset << 15) | UInt64(f3 << 12) | UInt64(rd << 7) | 0x07
            }
        case 0x27 where fd && (f3 == 2 || f3 == 3):  // FSW FSD
            return MemoryOp(kind: .store, base: rs1, offset: storeOffset, size: f3 == 2 ? 4 : 8, floatingPoint: true) { offset in
                UInt64(rs2 << 20) | (offset << 15) | UInt64(f3 << 12) | 0x27
            }
        case 0x2F where f3 == 2 || f3 == 3:
            let funct5 = field(31, 27)
            guard [0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x0C, 0x10, 0x14, 0x18, 0x1C].contains(funct5) else { return nil }
            return MemoryOp(kind: funct5 == 0x02 ? .load : .store, base: rs1, offset: 0, size: f3 == 2 ? 4 : 8,
                            atomic: true, transform: keepAllButRS1)
        case 0x73 where f3 == 4 && h:
            let funct7 = field(31, 25)
            let size = UInt64(1) << UInt64((funct7 >> 1) & 3)
            switch funct7 {
            case 0x30, 0x32, 0x34, 0x36:  // HLV.B/H/W/D, the U forms, HLVX.HU/WU
                let valid: Set<UInt32> = funct7 == 0x30 ? [0, 1] : funct7 == 0x36 ? [0] : [0, 1, 3]
                guard valid.contains(rs2) else { return nil }
                return MemoryOp(kind: .load, base: rs1, offset: 0, size: size, hypervisor: true, hlvx: rs2 == 3,
                                transform: keepAllButRS1)
            case 0x31, 0x33, 0x35, 0x37:  // HSV.B/H/W/D
                guard rd == 0 else { return nil }
                return MemoryOp(kind: .store, base: rs1, offset: 0, size: size, hypervisor: true, transform: keepAllButRS1)
            default:
                return nil
            }
        default:
            return nil
        }
    }

    /// C.LW/C.LD/C.SW/C.SD and the SP-relative forms (Unpriv. C, "Load and Store
    /// Instructions"); the transformed form is that of the expansion with bit 1 cleared.
    static func decodeCompressed(_ c: UInt16, fd: Bool) -> MemoryOp? {
        func bit(_ n: UInt16) -> Int64 { Int64((c >> n) & 1) }
        func bits(_ hi: UInt16, _ lo: UInt16) -> Int64 { Int64((c >> lo) & ((1 << (hi - lo + 1)) - 1)) }
        let quadrant = c & 3, f3 = UInt32(c >> 13)
        let rdPrime = UInt32(8 + bits(4, 2)), rs1Prime = Int(8 + bits(9, 7))
        let rdFull = UInt32(bits(11, 7)), rs2Full = UInt32(bits(6, 2))
        func load(_ rd: UInt32, _ base: Int, _ offset: Int64, wide: Bool, fp: Bool = false) -> MemoryOp {
            let funct3: UInt64 = wide ? 3 : 2, opcode: UInt64 = fp ? 0x07 : 0x03
            return MemoryOp(kind: .load, base: base, offset: offset, size: wide ? 8 : 4, floatingPoint: fp) { o in
                ((o << 15) | (funct3 << 12) | UInt64(rd << 7) | opcode) & ~2
            }
        }
        func store(_ rs2: UInt32, _ base: Int, _ offset: Int64, wide: Bool, fp: Bool = false) -> MemoryOp {
            let funct3: UInt64 = wide ? 3 : 2, opcode: UInt64 = fp ? 0x27 : 0x23
            return MemoryOp(kind: .store, base: base, offset: offset, size: wide ? 8 : 4, floatingPoint: fp) { o in
                (UInt64(rs2 << 20) | (o << 15) | (funct3 << 12) | opcode) & ~2
            }
        }
        switch (quadrant, f3) {
        case (0, 1) where fd: return load(rdPrime, rs1Prime, bits(12, 10) << 3 | bits(6, 5) << 6, wide: true, fp: true)   // C.FLD
        case (0, 5) where fd: return store(rdPrime, rs1Prime, bits(12, 10) << 3 | bits(6, 5) << 6, wide: true, fp: true)  // C.FSD
        case (2, 1) where fd: return load(rdFull, 2, bit(12) << 5 | bits(6, 5) << 3 | bits(4, 2) << 6, wide: true, fp: true)  // C.FLDSP
        case (2, 5) where fd: return store(rs2Full, 2, bits(12, 10) << 3 | bits(9, 7) << 6, wide: true, fp: true)  // C.FSDSP
        case (0, 2): return load(rdPrime, rs1Prime, bits(12, 10) << 3 | bit(6) << 2 | bit(5) << 6, wide: false)   // C.LW
        case (0, 3): return load(rdPrime, rs1Prime, bits(12, 10) << 3 | bits(6, 5) << 6, wide: true)             // C.LD
        case (0, 6): return store(rdPrime, rs1Prime, bits(12, 10) << 3 | bit(6) << 2 | bit(5) << 6, wide: false)  // C.SW
        case (0, 7): return store(rdPrime, rs1Prime, bits(12, 10) << 3 | bits(6, 5) << 6, wide: true)            // C.SD
        case (2, 2) where rdFull != 0: return load(rdFull, 2, bit(12) << 5 | bits(6, 4) << 2 | bits(3, 2) << 6, wide: false)  // C.LWSP
        case (2, 3) where rdFull != 0: return load(rdFull, 2, bit(12) << 5 | bits(6, 5) << 3 | bits(4, 2) << 6, wide: true)   // C.LDSP
        case (2, 6): return store(rs2Full, 2, bits(12, 9) << 2 | bits(8, 7) << 6, wide: false)  // C.SWSP
        case (2, 7): return store(rs2Full, 2, bits(12, 10) << 3 | bits(9, 7) << 6, wide: true)  // C.SDSP
        default: return nil
        }
    }
}

// MARK: - Address translation, as the spec's algorithm

/// Where a translation ends: a physical address, or the fault the algorithm raises.
enum WalkResult: Equatable {
    case ok(UInt64)
    case pageFault
    /// `gpa`: the guest physical address that faulted; `implicit`: it was a VS-level page-table
    /// access (a read, or an A/D `write`), not the original access.
    case guestPageFault(gpa: UInt64, implicit: Bool, write: Bool)
    case accessFault
}

enum AccessType { case read, write, execute }

/// supervisor.adoc "Virtual Address Translation Process" (Sv39, Sv48) and hypervisor.adoc
/// "Two-Stage Address Translation" / "Guest Physical Address Translation" (Sv39x4, Sv48x4),
/// over the board's memory as it is now. No side effects: A/D bits are not written, only
/// checked to be writable (step 9: this hart updates them, it does not fault).
struct SpecMMU {
    let bus: Bus
    let snapshot: HartSnapshot

    enum Stage { case single, vs, g }

    /// Translates `va` for an access by `mode` (the effective mode: MPRV and HLV/HSV
    /// already applied). M-mode and Bare stages pass addresses through.
    func translate(_ va: UInt64, _ access: AccessType, _ mode: Mode, hlvx: Bool = false) -> WalkResult {
        if mode.priv == .machine { return .ok(va) }
        if !mode.virt {
            return snapshot.satp >> 60 == 0 ? .ok(va) : stage(va, .single, access, mode.priv, hlvx: hlvx)
        }
        var gpa = va
        if snapshot.vsatp >> 60 != 0 {
            let r = stage(va, .vs, access, mode.priv, hlvx: hlvx)
            guard case .ok(let a) = r else { return r }
            gpa = a
        }
        return snapshot.hgatp >> 60 == 0 ? .ok(gpa) : stage(gpa, .g, access, .user, hlvx: hlvx)
    }

    private var gStageActive: Bool { snapshot.hgatp >> 60 != 0 }

    /// Step 2's G-stage translation of a VS-level page-table access (hypervisor.adoc
    /// norm:H_vm_gpapriv: checked as an implicit load or store; a fault is reported as a
    /// guest-page fault for the original access, with the PTE's guest physical address).
    private func implicitAccess(_ gpa: UInt64, write: Bool) -> WalkResult {
        guard gStageActive else { return .ok(gpa) }
        switch stage(gpa, .g, write ? .write : .read, .user, hlvx: false) {
        case .ok(let pa): return .ok(pa)
        case .guestPageFault: return .guestPageFault(gpa: gpa, implicit: true, write: write)
        case let other: return other
        }
    }

    func stage(_ addr: UInt64, _ stage: Stage, _ access: AccessType, _ priv: Privilege, hlvx: Bool) -> WalkResult {
        let mode: UInt64, root: UInt64
        switch stage {
        case .single: mode = snapshot.satp >> 60; root = (snapshot.satp & ((1 << 44) - 1)) << 12
        case .vs: mode = snapshot.vsatp >> 60; root = (snapshot.vsatp & ((1 << 44) - 1)) << 12
        case .g: mode = snapshot.hgatp >> 60; root = (snapshot.hgatp & ((1 << 44) - 1) & ~3) << 12  // 16 KiB root
        }
        let fault: WalkResult = stage == .g ? .guestPageFault(gpa: addr, implicit: false, write: false) : .pageFault
        guard mode == 8 || mode == 9 else { return fault }  // Sv39(x4) = 8, Sv48(x4) = 9
        let levels = mode == 8 ? 3 : 4
        let vaBits = UInt64(12 + 9 * levels)
        if stage == .g {
            // norm:hgatp_mode_sv39x4/sv48x4: bits 63:41 (63:50) must be zero.
            if addr >> (vaBits + 2) != 0 { return fault }
        } else {
            // Sv39/Sv48: bits 63:39 (63:48) must equal bit 38 (47).
            let top = Int64(bitPattern: addr) >> (vaBits - 1)
            if top != 0 && top != -1 { return fault }
        }
        var a = root
        var i = levels - 1
        var pte: UInt64 = 0
        var pteGPA: UInt64 = 0  // the VS-stage PTE's guest physical address
        var pteAddress: UInt64 = 0
        while true {
            // The x4 root has two more index bits.
            let indexBits: UInt64 = stage == .g && i == levels - 1 ? 11 : 9
            pteGPA = a &+ ((addr >> (12 + 9 * UInt64(i))) & ((1 << indexBits) - 1)) * 8
            pteAddress = pteGPA
            if stage == .vs {
                let r = implicitAccess(pteGPA, write: false)
                guard case .ok(let pa) = r else { return r }
                pteAddress = pa
            }
            // Step 2: a PTE outside memory violates a PMA: access fault.
            guard let value = bus.read64(pteAddress) else { return .accessFault }
            pte = value
            let v = pte & 1, r = (pte >> 1) & 1, w = (pte >> 2) & 1, x = (pte >> 3) & 1
            // Step 3: invalid, W without R, or reserved bits/encodings (N and PBMT without
            // Svnapot/Svpbmt, bits 60:54).
            if v == 0 || (r == 0 && w == 1) || pte >> 54 != 0 { return fault }
            if r == 1 || x == 1 { break }
            // Step 4, and supervisor.adoc: a non-leaf PTE's D, A and U are reserved.
            if pte & (0x80 | 0x40 | 0x10) != 0 || i == 0 { return fault }
            a = ((pte >> 10) & ((1 << 44) - 1)) << 12
            i -= 1
        }
        let ppn = (pte >> 10) & ((1 << 44) - 1)
        // Step 5: a misaligned superpage.
        if i > 0 && ppn & ((1 << (9 * UInt64(i))) - 1) != 0 { return fault }
        // Step 6: the U bit with SUM; G-stage accesses are user-level (norm:H_vm_gpapriv).
        let u = pte & 0x10 != 0
        let sum: Bool, mxr: Bool
        switch stage {
        case .single:
            sum = snapshot.mstatus & Mstatus.SUM != 0
            mxr = snapshot.mstatus & Mstatus.MXR != 0
        case .vs:
            // norm:vsstatus_mxr_vm, norm:sstatus_mxr_vm: HS-level MXR applies to both stages.
            sum = snapshot.vsstatus & Mstatus.SUM != 0
            mxr = snapshot.vsstatus & Mstatus.MXR != 0 || snapshot.mstatus & Mstatus.MXR != 0
        case .g:
            sum = false
            mxr = snapshot.mstatus & Mstatus.MXR != 0
        }
        if stage == .g || priv == .user {
            if !u { return fault }
        } else if u && (access == .execute || !sum) {
            return fault
        }
        // Step 8: R/W/X (MXR: executable pages readable; HLVX needs execute instead).
        let readable = pte & 2 != 0, writable = pte & 4 != 0, executable = pte & 8 != 0
        switch access {
        case .read: if hlvx ? !executable : !(readable || (mxr && executable)) { return fault }
        case .write: if !writable { return fault }
        case .execute: if !executable { return fault }
        }
        // Step 9: A (and D for a store) must be set; this hart sets them, which needs a
        // writable PTE (for the VS-stage, a G-stage store: the write pseudoinstruction).
        let needed: UInt64 = access == .write ? 0xC0 : 0x40
        if pte & needed != needed {
            var writeAddress = pteAddress
            if stage == .vs {
                let r = implicitAccess(pteGPA, write: true)
                guard case .ok(let pa) = r else { return r }
                writeAddress = pa
            }
            if bus.memoryPointer(writeAddress, size: 8, write: true) == nil { return .accessFault }
        }
        // Step 10.
        let offsetMask: UInt64 = (1 << (12 + 9 * UInt64(i))) - 1
        return .ok(((ppn << 12) & ~offsetMask) | (addr & offsetMask))
    }

    /// The instruction at `pc` as `mode` fetches it (16 bits for a compressed one), or nil when
    /// it cannot be fetched.
    func instruction(at pc: UInt64, _ mode: Mode) -> UInt32? {
        guard case .ok(let pa) = translate(pc, .execute, mode), let low = bus.readMemory(pa, count: 2) else { return nil }
        let half = UInt32(low[0]) | UInt32(low[1]) << 8
        if half & 3 != 3 { return half }
        guard case .ok(let pa2) = translate(pc &+ 2, .execute, mode), let high = bus.readMemory(pa2, count: 2) else { return nil }
        return half | UInt32(high[0]) << 16 | UInt32(high[1]) << 24
    }
}
