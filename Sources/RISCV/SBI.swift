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
