/// RISC-V Supervisor Binary Interface v2.0 numbers (SBI spec, ../shared/specs/sbi):
/// extension ids (EID, in a7), function ids (FID, in a6) and error codes (§3 "Binary
/// Encoding", table "Standard SBI Errors"). Shared by the firmware, the guests and host tests.
public enum SBI {
    /// Specification version this firmware implements: 2.0 (major in bits 30:24).
    public static let specVersion: UInt64 = 2 << 24

    // Extension ids.
    public static let legacySetTimer: UInt64 = 0x00
    public static let legacyConsolePutchar: UInt64 = 0x01
    public static let legacyConsoleGetchar: UInt64 = 0x02
    public static let legacyShutdown: UInt64 = 0x08
    public static let base: UInt64 = 0x10
    public static let time: UInt64 = 0x5449_4D45     // "TIME"
    public static let ipi: UInt64 = 0x73_5049         // "sPI"
    public static let rfence: UInt64 = 0x5246_4E43   // "RFNC"
    public static let hsm: UInt64 = 0x48_534D         // "HSM"
    public static let srst: UInt64 = 0x5352_5354     // "SRST"
    public static let dbcn: UInt64 = 0x4442_434E     // "DBCN"
    /// Implementation id reported by BASE get_impl_id. Vireo has no registered id (the SBI
    /// spec's table stops at 11, bhyve); this value ("VIRE") stays clear of that table.
    public static let vireoImplID: UInt64 = 0x5649_5245
    /// Vireo's control interface (firmware-specific EID range 0x0A00_0000–0x0AFF_FFFF).
    public static let vireo: UInt64 = 0x0A56_4952    // 0x0A + "VIR"

    // BASE functions (§4).
    public enum Base {
        public static let getSpecVersion: UInt64 = 0
        public static let getImplID: UInt64 = 1
        public static let getImplVersion: UInt64 = 2
        public static let probeExtension: UInt64 = 3
        public static let getMvendorid: UInt64 = 4
        public static let getMarchid: UInt64 = 5
        public static let getMimpid: UInt64 = 6
    }

    // TIME (§6) and IPI (§7): one function each.
    public static let timeSetTimer: UInt64 = 0
    public static let ipiSendIPI: UInt64 = 0

    // HSM functions and hart states (§9).
    public enum HSM {
        public static let hartStart: UInt64 = 0
        public static let hartStop: UInt64 = 1
        public static let hartGetStatus: UInt64 = 2
        public static let hartSuspend: UInt64 = 3
        public static let started: UInt64 = 0
        public static let stopped: UInt64 = 1
        public static let startPending: UInt64 = 2
        public static let stopPending: UInt64 = 3
        public static let suspended: UInt64 = 4
        public static let suspendPending: UInt64 = 5
        public static let resumePending: UInt64 = 6
    }

    // RFENCE functions (§8).
    public enum RFence {
        public static let fenceI: UInt64 = 0
        public static let sfenceVMA: UInt64 = 1
        public static let sfenceVMAASID: UInt64 = 2
        public static let hfenceGVMAVMID: UInt64 = 3
        public static let hfenceGVMA: UInt64 = 4
        public static let hfenceVVMAASID: UInt64 = 5
        public static let hfenceVVMA: UInt64 = 6
    }

    // SRST types and reasons (§10).
    public enum SRST {
        public static let systemReset: UInt64 = 0
        public static let shutdown: UInt64 = 0
        public static let coldReboot: UInt64 = 1
        public static let warmReboot: UInt64 = 2
        public static let reasonNone: UInt64 = 0
        public static let reasonFailure: UInt64 = 1
    }

    // DBCN functions (§12).
    public enum DBCN {
        public static let write: UInt64 = 0
        public static let read: UInt64 = 1
        public static let writeByte: UInt64 = 2
    }

    /// Vireo's control interface, EID `SBI.vireo` (firmware-specific range, SBI §3): Dom0's
    /// calls to build and run other domains, like Xen's domctl. Any other caller gets
    /// SBI_ERR_DENIED. Pointers are guest-physical addresses in Dom0's RAM; records are
    /// little-endian UInt64 words at the byte offsets below, names and texts UTF-8 with a
    /// length word.
    public enum Control {
        /// Bytes the firmware keeps at the top of every guest's RAM for the DTB it writes
        /// there at `start` (page-aligned, well above any DTB it builds): nothing a kernel,
        /// an initrd or Dom0's `populate` places may reach into them. `start` refuses an
        /// initrd that does.
        public static let dtbReserve: UInt64 = 64 << 10
        /// a0 = CreateRequest address, a1 = its size → value = the new domain's id. The
        /// domain has its RAM (zeroed) and vCPUs, and waits paused for populate and start.
        public static let create: UInt64 = 0
        /// a0 = domain, a1 = guest-physical destination in its RAM, a2 = source in Dom0's
        /// RAM, a3 = length (≤ maxPopulate) → copies.
        public static let populate: UInt64 = 1
        /// a0 = domain, a1 = entry pc, a2 = guest-physical start of an initrd already
        /// populated and a3 = its size (0: none): writes its DTB at the top of its RAM (with
        /// the initrd in /chosen `linux,initrd-start/end`) and starts vCPU 0 there (a0 = 0,
        /// a1 = the DTB), as a boot module's domain starts.
        public static let start: UInt64 = 2
        public static let pause: UInt64 = 3
        public static let unpause: UInt64 = 4
        /// Stops the domain, waits until no hart runs it, frees its RAM and tables.
        public static let destroy: UInt64 = 5
        /// A domain built from a boot module reloads it; one Dom0 built is shut down with
        /// reason reboot (Dom0 builds it again, as xl does).
        public static let reboot: UInt64 = 6
        /// a0 = array of DomainRecord, a1 = how many fit → value = how many domains exist
        /// (records are written for the first min(a1, value)).
        public static let list: UInt64 = 7
        /// a0 = domain, a1 = DomainInfo address, a2 = its size.
        public static let info: UInt64 = 8
        /// a0 = domain, a1 = buffer, a2 = length → value = bytes taken from its console ring;
        /// a0 = `hypervisorLog` reads the firmware's own messages instead (xl dmesg).
        public static let consoleRead: UInt64 = 9
        /// The "domain" whose console is the firmware's message log.
        public static let hypervisorLog: UInt64 = UInt64.max
        /// a0 = domain, a1 = buffer, a2 = length → value = bytes queued as its console input.
        public static let consoleWrite: UInt64 = 10
        /// From now on guests' console output goes only to their rings (Dom0 shows them),
        /// and the firmware's messages about domains other than Dom0 to its log; before,
        /// both are also written to the UART, guests' lines with a [name] prefix.
        public static let consoleClaim: UInt64 = 11

        // Virtual disks: the split-driver model (DESIGN §3 "I/O"). The firmware emulates a
        // guest's virtio-mmio block device (version 2) and checks its virtqueue; Dom0 is the
        // backend and moves the data through these calls, never touching guest memory.
        /// a0 = domain (built, not started), a1 = capacity in 512-byte sectors, a2 = flags
        /// (`diskReadOnly`) → value = the disk's index n: the guest sees it at virtio-mmio
        /// slot n (0x1000_1000 + 0x1000·n, PLIC source n + 1), as vda, vdb, ….
        public static let diskAttach: UInt64 = 12
        public static let diskReadOnly: UInt64 = 1
        /// a0 = DiskRequest buffer, a1 = its size → value = 1 and the record filled when a
        /// guest's request waits (the firmware takes it off the virtqueue; one per disk is
        /// in flight until `diskComplete`), 0 when none. Dom0 is sent a supervisor software
        /// interrupt when a guest notifies a queue.
        public static let diskPop: UInt64 = 13
        /// a0 = domain, a1 = disk | token << 16 (the request's token from diskPop: a call
        /// for a request the guest dropped by resetting its device, and replaced, is refused
        /// with SBI_ERR_INVALID_STATE), a2 = byte offset in the in-flight request's data, a3 =
        /// buffer in Dom0's RAM, a4 = length, a5 = direction: `diskFromGuest` copies the
        /// data of a write out of the guest's buffers, `diskToGuest` the data of a read into
        /// them (at most `maxPopulate` bytes per call) → value = bytes copied.
        public static let diskCopy: UInt64 = 14
        public static let diskFromGuest: UInt64 = 0
        public static let diskToGuest: UInt64 = 1
        /// a0 = domain, a1 = disk | token << 16, a2 = virtio-blk status (0 OK, 1 IOERR,
        /// 2 UNSUPP): ends the in-flight request (used ring, interrupt).
        public static let diskComplete: UInt64 = 15

        // DiskRequest (diskPop): domain, disk, type (virtio-blk: 0 IN, 1 OUT, 4 FLUSH,
        // 8 GET_ID, …), sector, data length in bytes, token (names this request in
        // diskCopy and diskComplete).
        public static let requestDomain = 0
        public static let requestDisk = 8
        public static let requestType = 16
        public static let requestSector = 24
        public static let requestLength = 32
        public static let requestToken = 40
        public static let requestSize = 48
        /// Disks per domain (the board's virtio-mmio slots).
        public static let maxDisks = 8

        /// Largest copy one populate call does (bounded firmware work).
        public static let maxPopulate: UInt64 = 1 << 20

        // CreateRequest: memory (bytes), vcpus, weight, name (length + 32 bytes), bootargs
        // (length + 448 bytes).
        public static let createMemory = 0
        public static let createVCPUs = 8
        public static let createWeight = 16
        public static let createNameLength = 24
        public static let createName = 32
        public static let nameCapacity = 32
        public static let createBootargsLength = 64
        public static let createBootargs = 72
        public static let bootargsCapacity = 448
        public static let createRequestSize = 520

        // DomainRecord (list): id, state, vcpus, memory (bytes), guest cycles, weight, name
        // length, name (32 bytes).
        public static let recordID = 0
        public static let recordState = 8
        public static let recordVCPUs = 16
        public static let recordMemory = 24
        public static let recordCycles = 32
        public static let recordWeight = 40
        public static let recordNameLength = 48
        public static let recordName = 56
        public static let recordSize = 88

        // DomainInfo: a DomainRecord, then vCPU 0's pc, VM exits in total, faults given
        // back, the exits by cause (48 words: exceptions 0–31, interrupts 32 + code), the
        // reason's length and text (64 bytes).
        public static let infoPC = 88
        public static let infoExits = 96
        public static let infoReflected = 104
        public static let infoExitsByCause = 112
        public static let infoCauses = 48
        public static let infoReasonLength = 112 + 48 * 8
        public static let infoReason = 112 + 48 * 8 + 8
        public static let reasonCapacity = 64
        public static let infoSize = 112 + 48 * 8 + 8 + 64

        // Domain states in records.
        public static let stateRunning: UInt64 = 0
        public static let statePaused: UInt64 = 1
        public static let stateShutdown: UInt64 = 2
        public static let stateCrashed: UInt64 = 3
        /// Shut down asking to be rebooted (Dom0 builds it again).
        public static let stateRebooting: UInt64 = 4
        /// Running, with every vCPU waiting for an interrupt (xl's "blocked").
        public static let stateBlocked: UInt64 = 5
    }

    // Error codes (§3.2); returned in a0 as a signed value.
    public static let success: Int64 = 0
    public static let errFailed: Int64 = -1
    public static let errNotSupported: Int64 = -2
    public static let errInvalidParam: Int64 = -3
    public static let errDenied: Int64 = -4
    public static let errInvalidAddress: Int64 = -5
    public static let errAlreadyAvailable: Int64 = -6
    public static let errAlreadyStarted: Int64 = -7
    public static let errAlreadyStopped: Int64 = -8
    public static let errNoSharedMemory: Int64 = -9
    public static let errInvalidState: Int64 = -10
    public static let errBadRange: Int64 = -11
    public static let errTimeout: Int64 = -12
    public static let errIO: Int64 = -13
    public static let errDeniedLocked: Int64 = -14
}
