import Shim

/// A vCPU's scheduling state. Running and runnable vCPUs are `.runnable`; `.waiting` is a
/// vCPU in WFI (or an HSM retentive suspend) until one of its interrupts is pending;
/// `.stopped` is the HSM STOPPED state.
enum VCPUState {
    case stopped, runnable, waiting
}

/// One virtual hart: its register frame (start.S saves into it), the VS-level CSRs that
/// are saved and restored when it leaves or takes a physical hart (arch/VCPUState.swift),
/// and its accounting.
final class VCPU {
    let id: UInt64
    unowned(unsafe) let domain: Domain
    let frame: UnsafeMutablePointer<vcpu_frame>
    var state: VCPUState = .stopped
    /// Waiting because of SBI HSM hart_suspend (SUSPENDED), not a plain WFI (still STARTED).
    var suspended = false

    // VS CSRs and the vCPU's part of the H CSRs (Priv. §18.2).
    var vsstatus: UInt64 = 0
    var vsie: UInt64 = 0        // hie's VS bits
    var vstvec: UInt64 = 0
    var vsscratch: UInt64 = 0
    var vsepc: UInt64 = 0
    var vscause: UInt64 = 0
    var vstval: UInt64 = 0
    var vsatp: UInt64 = 0
    var vstimecmp: UInt64 = UInt64.max
    var hvip: UInt64 = 0        // VS interrupts injected by the firmware
    /// Supervisor CSRs that have no VS copy (Priv. §18.2.5 hcounteren, §12.1.11 senvcfg):
    /// a guest in VS-mode reaches the hart's own, so they are switched with the vCPU.
    var scounteren: UInt64 = 0
    var senvcfg: UInt64 = 0
    /// VS interrupt bits raised from another hart while this vCPU's CSRs were on a third
    /// one; merged into hvip when its hart next takes a trap or enters it.
    var remotePending: UInt64 = 0
    /// Without Sstc: the guest's SBI set_timer deadline, in `time` units (max = none). It
    /// lives in the frame, where start.S's set_timer and timer fast paths read and write it.
    var timerDeadline: UInt64 {
        get { frame.pointee.deadline }
        set { frame.pointee.deadline = newValue }
    }
    /// `domain.shadow`, kept here so that the two-stage paths test it without loading the
    /// domain (their cycles are measured: Performance III).
    let shadow: Bool
    /// With `shadow`: the guest's virtual S-mode, and its SBI timer deadline.
    var virtualS = VirtualSupervisor()
    var shadowDeadline: UInt64 = UInt64.max
    /// With `shadow`: the pages of this vCPU's shadow tables (from the page-table pool,
    /// which the hart's walks may read) and the shadows built in them per guest satp and
    /// view. Only the hart that runs the vCPU touches them; other harts set `shadowStale`
    /// (every shadow goes before it next runs) or log in `domain.shadowLog`, of which it
    /// has applied the first `shadowSeen`.
    var shadowPool = ShadowPool(pages: [])
    var shadowCache = ShadowCache(capacity: 8)
    var shadowStale = false
    var shadowSeen: UInt64 = 0
    /// Something was dropped from this vCPU's shadows since its hart last fenced its TLB.
    var shadowNeedsFence = false
    /// f0–f31 and fcsr, when the board has D.
    let fp: UnsafeMutablePointer<UInt64>?
    /// Cycles this vCPU has run in VS/VU.
    var cycles: UInt64 = 0
    /// The hart whose run queue holds this vCPU, and the hart it last ran on.
    var hart: Int = 0
    var lastHart: Int = -1
    /// Weighted virtual time (FirmwareKit's `FairShare`): the scheduler runs the ready vCPU
    /// with the least.
    var vtime: UInt64 = 0

    init(id: UInt64, domain: Domain, hasFP: Bool) {
        self.id = id
        self.domain = domain
        shadow = domain.shadow
        frame = UnsafeMutablePointer<vcpu_frame>.allocate(capacity: 1)
        frame.initialize(to: vcpu_frame())
        frame.pointee.deadline = UInt64.max
        if hasFP {
            let area = UnsafeMutablePointer<UInt64>.allocate(capacity: 33)
            area.initialize(repeating: 0, count: 33)
            fp = area
        } else {
            fp = nil
        }
        frame.pointee.owner = UnsafeMutableRawPointer(Unmanaged.passUnretained(self).toOpaque())
        frame.pointee.uart = UnsafeMutableRawPointer(domain.uartState)
    }

    deinit {
        frame.deallocate()
        fp?.deallocate()
    }

    /// Resets the vCPU to the OpenSBI entry state: VS-mode at `pc`, a0 = vCPU id,
    /// a1 = `opaque`, satp = 0, interrupts off (SBI §9.1 hart_start, table "HSM Hart Start
    /// Register State").
    func reset(pc: UInt64, opaque: UInt64) {
        let stack = frame.pointee.stack       // a hart may still return through this frame
        foldFastExits()
        frame.initialize(to: vcpu_frame())
        frame.pointee.stack = stack
        frame.pointee.owner = UnsafeMutableRawPointer(Unmanaged.passUnretained(self).toOpaque())
        frame.pointee.uart = UnsafeMutableRawPointer(domain.uartState)
        frame.pointee.pc = pc
        frame.pointee.mode = shadow ? 0 : Mstatus.MPV | (UInt64(1) << Mstatus.MPPShift)
        virtualS = VirtualSupervisor()
        shadowDeadline = UInt64.max
        shadowStale = true
        setRegister(10, id)
        setRegister(11, opaque)
        vsstatus = 0
        vsie = 0
        vstvec = 0
        vsscratch = 0
        vsepc = 0
        vscause = 0
        vstval = 0
        vsatp = 0
        vstimecmp = UInt64.max
        hvip = 0
        remotePending = 0
        scounteren = 0
        senvcfg = 0
        timerDeadline = UInt64.max
        suspended = false
        if let fp { fp.initialize(repeating: 0, count: 33) }
        state = .runnable
    }

    func register(_ r: Int) -> UInt64 {
        r == 0 ? 0 : UnsafeMutableRawPointer(frame).load(fromByteOffset: r &* 8, as: UInt64.self)
    }

    func setRegister(_ r: Int, _ value: UInt64) {
        guard r != 0 else { return }
        UnsafeMutableRawPointer(frame).storeBytes(of: value, toByteOffset: r &* 8, as: UInt64.self)
    }

    /// Moves the frame's fast-path exit counts (start.S) into the domain's, by cause.
    func foldFastExits() {
        let f = frame
        domain.slowExits[Int(Cause.ecallFromVS.rawValue)] &+= f.pointee.fast_ecall
        domain.slowExits[Int(Cause.loadGuestPageFault.rawValue)] &+= f.pointee.fast_load
        domain.slowExits[Int(Cause.storeGuestPageFault.rawValue)] &+= f.pointee.fast_store
        domain.slowExits[32 + Int(Interrupt.MTI)] &+= f.pointee.fast_timer
        f.pointee.fast_ecall = 0
        f.pointee.fast_load = 0
        f.pointee.fast_store = 0
        f.pointee.fast_timer = 0
    }

    /// Privilege the guest was in when it trapped: 1 = VS, 0 = VU.
    var guestPrivilege: UInt64 { (frame.pointee.mode >> Mstatus.MPPShift) & 3 }
}

enum DomainState {
    /// `reloading`: a reboot is putting its image back (no vCPU runs meanwhile).
    case running, paused, shutdown, crashed, reloading
}

/// A guest: its memory, G-stage tables, vCPUs, devices, consoles and accounting.
final class Domain {
    let id: UInt64
    let name: String
    let bootargs: String
    /// Host-physical base of guest RAM, and the guest-physical address it appears at:
    /// `defaultRAMBase` for every guest, the host address itself for a direct-mapped Dom0.
    let hostBase: UInt64
    let ramBase: UInt64
    let size: UInt64
    static let defaultRAMBase: UInt64 = VirtMap.dram
    /// Dom0 with the physical devices: RAM mapped 1:1, virtio slots in its G-stage.
    let direct: Bool
    let gstage: GStage
    let hgatp: UInt64
    var vcpus: [VCPU] = []
    /// Trap-and-emulate (issue 17, `vireo.mmu=shadow`): the guest kernel runs in real
    /// U-mode on `physicalSATP`, and the firmware emulates its S-mode (arch/Shadow.swift).
    var shadow = false
    /// Sv39 tables mapping the guest's physical addresses to its RAM: the G-stage tables,
    /// whose leaves already have U, A and D set and whose first 4 KiB of root are an Sv39
    /// root for every address below 2^39. The MMU-off shadow.
    var physicalSATP: UInt64 { (UInt64(8) << 60) | (hgatp & ((1 << 44) - 1)) }
    /// With `shadow`: the guest-physical pages its walks found tables in, with what they
    /// map (write-protected in every shadow; a store to one invalidates what it maps).
    var guestTables = GuestTableMap(capacity: 256)
    /// Invalidations of the shadows its page-table stores caused, for its vCPUs to apply to
    /// their own shadows before they next run (each vCPU's shadows are touched only on the
    /// hart that runs it, so no hart frees a table another may be walking): the last
    /// `shadowLog.count`, each a page address ORed with its level (3: everything), and the
    /// count of all ever logged.
    var shadowLog = [UInt64](repeating: 0, count: 16)
    var shadowLogSeq: UInt64 = 0
    /// Shadow figures: page faults the firmware resolved, shadows flushed whole, trapped
    /// page-table stores, and the regions they and the guest's fences dropped.
    var shadowFills: UInt64 = 0
    var shadowFlushes: UInt64 = 0
    var tableStores: UInt64 = 0
    var shadowDrops: UInt64 = 0
    var state: DomainState = .running
    var reason: String = ""
    /// Scheduling weight (Xen's: 1...65535, default 256) and the VMID its G-stage
    /// translations are tagged with (hgatp.VMID, Priv. §18.2.10).
    var weight: UInt64 = FairShare.defaultWeight
    let vmid: UInt64
    /// The ELF image this domain boots from when it came from a boot module (still in host
    /// memory); nil for a domain Dom0 built through the control interface.
    let image: UnsafeRawBufferPointer?
    /// Its initrd boot module (a Linux Image's), put back with the image on reboot.
    var initrdImage: UnsafeRawBufferPointer? = nil
    /// `time` when it was built, and whether it has printed yet (the create-to-first-output
    /// latency goes to the firmware's log).
    var createdAt: UInt64 = 0
    var hasPrinted = false
    /// Shut down by the guest's reboot request: Dom0 builds it again.
    var rebootRequested = false
    var entry: UInt64 = 0
    var dtbAddress: UInt64 = 0
    /// VM exits by cause the full world switch counted (and fast-path counts of vCPUs
    /// reset since): 0–23 exceptions, 32 + code for interrupts.
    var slowExits = [UInt64](repeating: 0, count: 48)
    /// VM exits by cause, the fast paths' counts (in the vCPUs' frames) included.
    var exits: [UInt64] {
        var e = slowExits
        for v in vcpus {
            let f = v.frame.pointee
            e[Int(Cause.ecallFromVS.rawValue)] &+= f.fast_ecall
            e[Int(Cause.loadGuestPageFault.rawValue)] &+= f.fast_load
            e[Int(Cause.storeGuestPageFault.rawValue)] &+= f.fast_store
            e[32 + Int(Interrupt.MTI)] &+= f.fast_timer
        }
        return e
    }
    /// Faults the firmware could not emulate and gave back to the guest.
    var reflected: UInt64 = 0
    /// The emulated devices it reaches by MMIO (vdev/MMIORegistry.swift).
    var mmio = MMIORegistry()
    /// Its virtual PLIC (vdev/VirtualPLIC.swift): a context pair per vCPU.
    var plic = PLICState(contexts: 16)
    /// The emulated UART's registers, and its interrupt line as last driven.
    /// The emulated 16550's registers, in memory of their own: start.S's UART fast path
    /// reads them there (every vCPU's frame points at them).
    let uartState: UnsafeMutablePointer<UART16550Registers> = {
        let p = UnsafeMutablePointer<UART16550Registers>.allocate(capacity: 1)
        p.initialize(to: UART16550Registers())
        return p
    }()
    var uart: UART16550Registers {
        get { uartState.pointee }
        set { uartState.pointee = newValue }
    }
    var uartLine = false
    /// Its virtual disks (vdev/VirtualBlock.swift): disk n is virtio-mmio slot n.
    var disks: [VirtioBlockFrontend] = []
    var diskLines: UInt32 = 0
    /// Guest-physical [start, end) of the initrd named in its DTB (0, 0: none).
    var initrd: (start: UInt64, end: UInt64) = (0, 0)
    /// Its console (core/Console.swift): the line buffer for the UART, the ring Dom0 reads,
    /// and the input Dom0 sends it.
    var console = ConsoleBuffer()
    var ring = ConsoleRing(capacity: 16384)
    var input: [UInt8] = []

    deinit { uartState.deallocate() }

    init(id: UInt64, name: String, bootargs: String, hostBase: UInt64, ramBase: UInt64, size: UInt64, direct: Bool,
         gstage: GStage, image: UnsafeRawBufferPointer?) {
        self.id = id
        self.name = name
        self.bootargs = bootargs
        self.hostBase = hostBase
        self.ramBase = ramBase
        self.size = size
        self.direct = direct
        self.gstage = gstage
        vmid = (id + 1) & 0x3FFF
        self.hgatp = gstage.hgatp(vmid: vmid)
        self.image = image
    }

    var isRunning: Bool { state == .running }

    /// Guest time of all its vCPUs, in cycles.
    var cycles: UInt64 { vcpus.reduce(0) { $0 &+ $1.cycles } }

    /// VM exits in total.
    var exitCount: UInt64 { exits.reduce(0, &+) }

    /// Its RAM for the device models (FirmwareKit's `GuestRAM`).
    var ram: GuestRAM { GuestRAM(base: ramBase, size: size, host: UnsafeMutableRawPointer(bitPattern: UInt(hostBase))!) }

    /// The host address of guest-physical [gpa, gpa+length) when it lies inside guest RAM.
    func hostAddress(gpa: UInt64, length: UInt64) -> UInt64? {
        guard gpa >= ramBase else { return nil }
        let offset = gpa - ramBase
        guard offset <= size, length <= size - offset else { return nil }
        return hostBase &+ offset
    }
}
