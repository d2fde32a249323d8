import RISCV

/// A trap raised by an instruction or a memory access: the cause and the value for x`tval`.
public struct Trap: Error, Equatable, Sendable {
    public var cause: Cause
    public var tval: UInt64
    public init(_ cause: Cause, _ tval: UInt64 = 0) {
        self.cause = cause
        self.tval = tval
    }
}

/// A software-TLB entry: a 4 KiB virtual page (`tag` = VA >> 12) mapped to host memory.
@usableFromInline
struct TLBEntry {
    @usableFromInline var tag: UInt64
    @usableFromInline var page: UnsafeMutableRawPointer
}

/// A fetch-TLB entry: the host page and its decoded instructions.
@usableFromInline
struct FetchTLBEntry {
    @usableFromInline var tag: UInt64
    @usableFromInline var page: UnsafeMutableRawPointer
    @usableFromInline var decoded: UnsafeMutablePointer<Decoded>
}

/// A cached translation (virtual page → physical page) for one access type and privilege.
struct XlateEntry {
    var tag: UInt64
    var page: UInt64
    /// The address space (ASID, or ASID and VMID with V=1: `Hart.addressSpace`).
    var space: UInt64
}

/// The five execution modes of a hart with H (Priv. H "Privilege Modes"): the index of
/// per-mode statistics is `priv.rawValue + (V ? 4 : 0)`.
public enum ExecutionMode: Int, CaseIterable, Sendable {
    case u = 0, hs = 1, m = 3, vu = 4, vs = 5

    public var name: String {
        switch self {
        case .u: return "U"
        case .hs: return "HS"
        case .m: return "M"
        case .vu: return "VU"
        case .vs: return "VS"
        }
    }

    public init(_ p: Privilege, virtual: Bool) {
        self = ExecutionMode(rawValue: Int(p.rawValue) + (virtual ? 4 : 0)) ?? .m
    }
}

/// Per-hart statistics (`--stats`): cycles and instructions by execution mode, traps by
/// cause and by the mode they came from.
public struct HartStats: Sendable {
    /// Indexed by `ExecutionMode.rawValue` (0 = U, 1 = HS/S, 3 = M, 4 = VU, 5 = VS).
    public var cycles = [UInt64](repeating: 0, count: 6)
    public var instructions = [UInt64](repeating: 0, count: 6)
    public var exceptions = [UInt64](repeating: 0, count: 64)
    public var interrupts = [UInt64](repeating: 0, count: 64)
    /// Traps by the mode they were taken from: `[ExecutionMode.rawValue][cause]`.
    public var exceptionsFrom = [[UInt64]](repeating: [UInt64](repeating: 0, count: 64), count: 6)
    public var interruptsFrom = [[UInt64]](repeating: [UInt64](repeating: 0, count: 64), count: 6)
    /// VM exits: traps taken with V=1 into HS or M (not delegated to VS), by cause;
    /// exceptions at their code, interrupts at 64 + code.
    public var vmExits = [UInt64](repeating: 0, count: 128)
    public var tlbMisses: UInt64 = 0
    public var pageWalkReads: UInt64 = 0
    public var wfiSkippedCycles: UInt64 = 0
}

/// One RV64IMAC hart with M/S/U, Sv39/Sv48 and PMP (Priv. spec 1.12+), and optionally the
/// hypervisor extension (HS/VS/VU, two-stage translation) and Sstc. Registers live in raw
/// memory; CSRs are plain fields; the interpreter is in `Hart+Execute.swift`.
public final class Hart {
    public let id: Int
    public let bus: Bus

    /// x0…x31 plus the sink register 32 that absorbs writes to x0.
    @usableFromInline let x: UnsafeMutablePointer<UInt64>
    /// f0…f31 (F and D): raw bits; single-precision values are NaN-boxed.
    @usableFromInline let f: UnsafeMutablePointer<UInt64>
    /// fcsr: frm (bits 7:5) and fflags (bits 4:0).
    var fcsr: UInt64 = 0
    public var pc: UInt64 = 0
    public internal(set) var priv: Privilege = .machine
    /// The virtualization mode V (H): with `priv`, S means VS and U means VU.
    public internal(set) var virt = false
    /// Modeled cycles since reset: drives mcycle and, through the CLINT, mtime.
    public internal(set) var cycles: UInt64 = 0
    /// Instructions retired since reset.
    public internal(set) var instret: UInt64 = 0

    // Machine CSRs (Priv. §3.1)
    var mstatus: UInt64 = (2 << 32) | (2 << 34)  // UXL = SXL = 64
    let misa: UInt64
    var medeleg: UInt64 = 0
    var mideleg: UInt64 = 0
    var mie: UInt64 = 0
    /// mip bits written by software (SSIP, STIP, SEIP); the rest comes from devices.
    var mipSoftware: UInt64 = 0
    /// mip bits driven by devices (MSIP, MTIP from the CLINT; MEIP/SEIP from the PLIC later).
    var mipHardware: UInt64 = 0
    var mtvec: UInt64 = 0
    var mcounteren: UInt64 = 0
    var menvcfg: UInt64 = 0
    var mcountinhibit: UInt64 = 0
    /// mhpmcounter3…18 (Zihpm; `Hart.hpmCounters`), indexed from 3; the rest stay zero.
    var mhpmcounter = [UInt64](repeating: 0, count: 29)
    var mscratch: UInt64 = 0
    var mepc: UInt64 = 0
    var mcause: UInt64 = 0
    var mtval: UInt64 = 0
    // Supervisor CSRs (Priv. §12.1)
    var stvec: UInt64 = 0
    var scounteren: UInt64 = 0
    var senvcfg: UInt64 = 0
    var sscratch: UInt64 = 0
    var sepc: UInt64 = 0
    var scause: UInt64 = 0
    var stval: UInt64 = 0
    var satp: UInt64 = 0
    // Hypervisor CSRs (Priv. H, "Hypervisor and Virtual Supervisor CSRs")
    var hstatus: UInt64 = 2 << 32  // VSXL = 64, read-only
    var hedeleg: UInt64 = 0
    var hideleg: UInt64 = 0
    var hcounteren: UInt64 = 0
    var henvcfg: UInt64 = 0
    var htimedelta: UInt64 = 0
    var htval: UInt64 = 0
    var htinst: UInt64 = 0
    var hgatp: UInt64 = 0
    var mtval2: UInt64 = 0
    var mtinst: UInt64 = 0
    // Virtual supervisor CSRs: what VS-mode sees as its S CSRs.
    var vsstatus: UInt64 = 2 << 32  // UXL = 64, read-only
    var vstvec: UInt64 = 0
    var vsscratch: UInt64 = 0
    var vsepc: UInt64 = 0
    var vscause: UInt64 = 0
    var vstval: UInt64 = 0
    var vsatp: UInt64 = 0
    /// vstimecmp (Sstc with H; reset value unspecified: all ones).
    var vstimecmp: UInt64 = .max
    /// Extra trap information a translation leaves for the trap it throws: the guest
    /// physical address of a guest-page fault (for htval/mtval2) and the pseudoinstruction
    /// of an implicit VS-stage access (for htinst/mtinst). Consumed by `raise`.
    var faultGPA: UInt64 = 0
    var faultTinst: UInt64 = 0
    /// Set while an HLV/HLVX/HSV runs: its faults carry a guest virtual address (GVA).
    var hypervisorAccess = false

    // Counters: the architectural value is derived from `cycles`/`instret`.
    var mcycleOffset: UInt64 = 0
    var minstretOffset: UInt64 = 0
    var mcycleFrozen: UInt64 = 0
    var minstretFrozen: UInt64 = 0
    // PMP (Priv. §3.7): 16 entries.
    public static let pmpEntries = 16
    var pmpcfg = [UInt8](repeating: 0, count: 16)
    var pmpaddr = [UInt64](repeating: 0, count: 16)
    var pmpRegions: [PMPRegion] = []

    /// LR/SC reservation: the virtual address reserved by the last LR, or `.max`, and the
    /// bus interleaving epoch it was taken in.
    /// Both live in `jitState`, where translated LR/SC read and write them.
    var reservation: UInt64 {
        get { jitState[JITState.reservation] }
        set { jitState[JITState.reservation] = newValue }
    }
    var reservationEpoch: UInt64 {
        get { jitState[JITState.reservationEpoch] }
        set { jitState[JITState.reservationEpoch] = newValue }
    }

    // Software TLBs, one set per mode (U, S, M, VU, VS), direct-mapped.
    static let tlbSize = 1024
    static let tlbMask: UInt64 = 1023
    let tlbRead: UnsafeMutablePointer<TLBEntry>
    let tlbWrite: UnsafeMutablePointer<TLBEntry>
    let tlbFetch: UnsafeMutablePointer<FetchTLBEntry>
    /// Translations of any page (RAM, ROM or device) by access type and privilege: the
    /// modeled TLB behind the host-pointer TLBs.
    static let xlateSize = 256
    let xlate: UnsafeMutablePointer<XlateEntry>

    /// Data TLBs for the effective data privilege (MPRV-aware), fetch TLB for `priv`.
    var dtlbR: UnsafeMutablePointer<TLBEntry>
    var dtlbW: UnsafeMutablePointer<TLBEntry>
    var itlb: UnsafeMutablePointer<FetchTLBEntry>
    let dummyPage: UnsafeMutableRawPointer

    /// A decoded page of `pageEnd` sentinels with one live slot: instructions that cannot run
    /// from a real decoded page (page straddles, pages PMP grants execute on in part) run
    /// from here, so that whatever they do next leads back to the outer loop.
    let scratch: UnsafeMutablePointer<Decoded>
    /// What translated code reads and writes (`JITState`).
    let jitState: UnsafeMutablePointer<UInt64>
    /// The scratch slot in use, or -1.
    var scratchSlot = -1
    /// Set by `runJIT` when, after chaining to another page, it hands back to the interpreter
    /// with that page's pc as `exitPC` at an instruction whose block it has already charged:
    /// the outer loop then fetches the page (a fetch-TLB hit) and interprets from there,
    /// without a block entry of its own.
    var jitResumeCharged = false
    /// Slots of the run being decoded (see `decodeRun`).
    let runPath: UnsafeMutablePointer<Int16>
    /// Execute one instruction per block (the commit log needs instruction granularity).
    public var singleStep = false

    /// A debugger is done stepping: the hart runs blocks again, unless a VM exit is being
    /// profiled (`exitProfile`), which steps until the exit returns to V=1 and then runs blocks.
    public func endSingleStep() {
        if let p = exitProfile, p.isOpen {
            p.savedSingleStep = false
            singleStep = true
        } else {
            singleStep = false
        }
    }

    public var stats = HartStats()
    /// `--trace-events`: nil unless tracing, checked only where the mode changes and traps
    /// are taken (`setPrivilege`, `takeTrap`) and on device slow paths, never in the
    /// interpreter loop or translated code.
    public var traceEvents: TraceEvents?
    /// `--stats` under the Vireo firmware: where each VM exit's cycles go (nil: off).
    public var exitProfile: ExitProfile?
    /// The last synchronous exception raised (for the commit log).
    public internal(set) var lastTrap: Trap?
    /// The cycle count at which the current `run(until:)` stops.
    var runLimit: UInt64 = 0
    var privSinceCycles: UInt64 = 0
    var privSinceInstret: UInt64 = 0
    /// Set by anything that may change which interrupts are deliverable; ends the current chunk.
    /// (A word of `jitState`, where translated atomics read it: the interpreter's atomics
    /// leave the block when it is set, so translated ones hand those back.)
    var interruptCheckNeeded: Bool {
        @inline(__always) get { jitState[JITState.interruptCheck] != 0 }
        @inline(__always) set { jitState[JITState.interruptCheck] = newValue ? 1 : 0 }
    }
    /// Set while a WFI waits for an interrupt.
    public internal(set) var waitingForInterrupt = false

    /// Sstc (supervisor timer compare) is implemented.
    public let sstc: Bool
    /// The hypervisor extension is implemented.
    public let h: Bool
    /// F and D are implemented.
    public let fd: Bool
    /// Every optional extension this hart implements (`fd`, `h` and `sstc` among them, kept
    /// as their own flags for the hot paths).
    public let extensions: Extensions
    /// stimecmp (Sstc; reset value unspecified: all ones, so no timer fires by itself).
    var stimecmp: UInt64 = .max

    /// Number of software-TLB sets: U, S, M, VU, VS.
    static let tlbSets = 5

    /// A hart with only the extensions named (RV64IMAC otherwise).
    public convenience init(id: Int, bus: Bus, sstc: Bool = false, h: Bool = false, fd: Bool = false) {
        self.init(id: id, bus: bus, extensions: Extensions()
            .union(sstc ? .sstc : []).union(h ? .h : []).union(fd ? .fd : []))
    }

    public init(id: Int, bus: Bus, extensions: Extensions) {
        self.extensions = extensions
        let sstc = extensions.contains(.sstc), h = extensions.contains(.h), fd = extensions.contains(.fd)
        self.sstc = sstc
        self.h = h
        self.fd = fd
        misa = MISA.mxl64 | MISA.bit("I") | MISA.bit("M") | MISA.bit("A") | MISA.bit("C")
            | MISA.bit("S") | MISA.bit("U") | (h ? MISA.bit("H") : 0)
            | (fd ? MISA.bit("F") | MISA.bit("D") : 0)
        mideleg = h ? Interrupt.virtualSupervisorMask : 0
        self.id = id
        self.bus = bus
        // The register file sits alone in the middle of its own page, away from the offsets
        // that decoded-slot loads hit right after a register store (4K aliasing).
        let regPage = UnsafeMutableRawPointer.allocate(byteCount: 8192, alignment: 4096)
        regPage.initializeMemory(as: UInt8.self, repeating: 0, count: 8192)
        x = (regPage + Hart.registerOffset).bindMemory(to: UInt64.self, capacity: 64)
        f = (regPage + 1024).bindMemory(to: UInt64.self, capacity: 32)
        dummyPage = .allocate(byteCount: 4096, alignment: 4096)
        let invalid = TLBEntry(tag: .max, page: dummyPage)
        tlbRead = .allocate(capacity: Hart.tlbSets * Hart.tlbSize)
        tlbRead.initialize(repeating: invalid, count: Hart.tlbSets * Hart.tlbSize)
        tlbWrite = .allocate(capacity: Hart.tlbSets * Hart.tlbSize)
        tlbWrite.initialize(repeating: invalid, count: Hart.tlbSets * Hart.tlbSize)
        // Laid out like a decoded page, with a JIT table that translates nothing.
        scratch = UnsafeMutableRawPointer.allocate(byteCount: CodeCache.pageBytes, alignment: 16)
            .bindMemory(to: Decoded.self, capacity: CodeCache.slots + 2)
        scratch.initialize(repeating: Decoded.pageEndSentinel, count: CodeCache.slots + 2)
        CodeCache.table(scratch).initialize(repeating: JIT.never, count: CodeCache.slots + 2)
        jitState = .allocate(capacity: JITState.words)
        jitState.initialize(repeating: 0, count: JITState.words)
        jitState[JITState.reservation] = .max
        jitState[JITState.interruptCheck] = 1
        jitState[JITState.epoch] = UInt64(UInt(bitPattern: bus.epochWord))
        tlbFetch = .allocate(capacity: Hart.tlbSets * Hart.tlbSize)
        tlbFetch.initialize(repeating: FetchTLBEntry(tag: .max, page: dummyPage, decoded: scratch), count: Hart.tlbSets * Hart.tlbSize)
        dtlbR = tlbRead + 2 * Hart.tlbSize
        dtlbW = tlbWrite + 2 * Hart.tlbSize
        itlb = tlbFetch + 2 * Hart.tlbSize
        runPath = .allocate(capacity: CodeCache.slots)
        xlate = .allocate(capacity: 3 * Hart.tlbSets * Hart.xlateSize)
        xlate.initialize(repeating: XlateEntry(tag: .max, page: 0, space: 0), count: 3 * Hart.tlbSets * Hart.xlateSize)
        bus.register(self)
    }

    static let registerOffset = 0

    deinit {
        (UnsafeMutableRawPointer(x) - Hart.registerOffset).deallocate()
        tlbRead.deallocate()
        tlbWrite.deallocate()
        tlbFetch.deallocate()
        scratch.deallocate()
        jitState.deallocate()
        runPath.deallocate()
        xlate.deallocate()
        dummyPage.deallocate()
    }

    /// Integer register `i` (x0 reads 0).
    public func register(_ i: Int) -> UInt64 { x[i] }
    public func setRegister(_ i: Int, _ value: UInt64) { if i != 0 { x[i] = value } }

    /// Reset state (Priv. §3.4): M-mode, MIE = MPRV = 0, mcause = 0, PMP off, pc = `pc`.
    public func reset(pc: UInt64) {
        for i in 0..<64 { x[i] = 0 }
        for i in 0..<32 { f[i] = 0 }
        fcsr = 0
        self.pc = pc
        setPrivilege(.machine)
        exitProfile?.abandon(self)  // an exit the reset cut short returns nowhere
        mstatus = (2 << 32) | (2 << 34)
        medeleg = 0; mideleg = h ? Interrupt.virtualSupervisorMask : 0; mie = 0; mipSoftware = 0; mcause = 0
        satp = 0
        virt = false
        hstatus = 2 << 32; hedeleg = 0; hideleg = 0; hgatp = 0; vsatp = 0; vsstatus = 2 << 32
        for i in 0..<Hart.pmpEntries { pmpcfg[i] = 0; pmpaddr[i] = 0 }
        rebuildPMP()
        reservation = .max
        waitingForInterrupt = false
        flushTLB()
        updateDataTLBSelection()
        interruptCheckNeeded = true
    }

    // MARK: Privilege and statistics

    /// Enters privilege `p` with virtualization mode `v`, closing the statistics of the
    /// mode being left.
    func setPrivilege(_ p: Privilege, virtual v: Bool = false) {
        let i = ExecutionMode(priv, virtual: virt).rawValue
        stats.cycles[i] &+= cycles &- privSinceCycles
        stats.instructions[i] &+= instret &- privSinceInstret
        privSinceCycles = cycles
        privSinceInstret = instret
        priv = p
        virt = v && p != .machine
        itlb = tlbFetch + Hart.tlbSetIndex(p, virt) * Hart.tlbSize
        updateDataTLBSelection()
        if let t = traceEvents, i != ExecutionMode(p, virtual: virt).rawValue {
            t.modeChanged(self, from: ExecutionMode(rawValue: i) ?? .m)
        }
        if virt, let e = exitProfile, e.isOpen { e.close(self) }
    }

    /// The current execution mode (M, HS, U, VS, VU).
    public var mode: ExecutionMode { ExecutionMode(priv, virtual: virt) }

    /// Brings the per-mode statistics up to date (call before reading `stats`).
    public func settleStatistics() { setPrivilege(priv, virtual: virt) }

    /// TLB set of a mode: U = 0, S = 1, M = 2, VU = 3, VS = 4.
    static func tlbSetIndex(_ p: Privilege, _ v: Bool) -> Int {
        p == .machine ? 2 : Int(p.rawValue) + (v ? 3 : 0)
    }

    /// The privilege loads and stores use: MPP (and MPV) when M-mode sets MPRV
    /// (Priv. §3.1.6.3; H "Machine Status": MPRV with MPV).
    var dataPrivilege: Privilege {
        if priv == .machine && mstatus & Mstatus.MPRV != 0 {
            return Privilege(rawValue: UInt8((mstatus >> Mstatus.MPPShift) & 3)) ?? .user
        }
        return priv
    }

    /// The virtualization mode loads and stores use (MPV under MPRV, unless MPP = M).
    var dataVirtual: Bool {
        if priv == .machine && mstatus & Mstatus.MPRV != 0 {
            return mstatus & Mstatus.MPV != 0 && (mstatus & Mstatus.MPP) != Mstatus.MPP
        }
        return virt
    }

    func updateDataTLBSelection() {
        let set = Hart.tlbSetIndex(dataPrivilege, dataVirtual) * Hart.tlbSize
        dtlbR = tlbRead + set
        dtlbW = tlbWrite + set
    }

    /// Drops every cached translation (PMP changes, MXR changes).
    public func flushTLB() {
        for i in 0..<(Hart.tlbSets * Hart.tlbSize) {
            tlbRead[i].tag = .max
            tlbWrite[i].tag = .max
            tlbFetch[i].tag = .max
        }
        for i in 0..<(3 * Hart.tlbSets * Hart.xlateSize) { xlate[i].tag = .max }
    }

    /// Drops the cached translations of the non-virtualized S and U modes (SFENCE.VMA
    /// with V=0, satp writes, sstatus.SUM) or of VS and VU (HFENCE.VVMA/GVMA, SFENCE.VMA
    /// with V=1, vsstatus.SUM/MXR): the TLB is tagged by V. With `onlySpace`, the host TLBs
    /// go but the modeled TLB keeps the entries of other address spaces.
    func flushTLB(virtual v: Bool, onlySpace space: UInt64? = nil) {
        // The U and S sets (0, 1), or the VU and VS sets (3, 4).
        for set in (v ? 3 : 0)...(v ? 4 : 1) {
            for i in (set * Hart.tlbSize)..<((set + 1) * Hart.tlbSize) {
                tlbRead[i].tag = .max
                tlbWrite[i].tag = .max
                tlbFetch[i].tag = .max
            }
            for a in 0..<3 {
                let base = (a * Hart.tlbSets + set) * Hart.xlateSize
                for i in base..<(base + Hart.xlateSize) where space == nil || xlate[i].space == space {
                    xlate[i].tag = .max
                }
            }
        }
    }

    static func xlateSlot(_ access: Access, _ set: Int, _ va: UInt64) -> Int {
        let a: Int
        switch access {
        case .read: a = 0
        case .write: a = 1
        case .execute: a = 2
        }
        return (a * Hart.tlbSets + set) * xlateSize + Int((va >> 12) & UInt64(xlateSize - 1))
    }

    /// Forgets fetch mappings to a decoded page that is being retired.
    func dropFetchMappings(of decoded: UnsafeMutablePointer<Decoded>) {
        for i in 0..<(Hart.tlbSets * Hart.tlbSize) where tlbFetch[i].decoded == decoded { tlbFetch[i].tag = .max }
    }

    func dropAllFetchMappings() {
        for i in 0..<(Hart.tlbSets * Hart.tlbSize) { tlbFetch[i].tag = .max }
    }

    /// Forgets write mappings of a physical page that has just started to hold decoded code.
    func dropWriteMappings(ofPhysicalPage pa: UInt64) {
        guard let host = bus.memoryPointer(pa, size: 4096, write: false) else { return }
        for i in 0..<(Hart.tlbSets * Hart.tlbSize) where tlbWrite[i].page == host { tlbWrite[i].tag = .max }
    }
}
