import GuestShim

/// The Supervisor Binary Interface as a guest sees it (SBI v2.0, §3 "Binary Encoding"):
/// `ecall` with the extension ID in a7, the function ID in a6 and arguments in a0–a5;
/// the result comes back as (error in a0, value in a1). The legacy extensions 0x01/0x02
/// (§5 "Legacy Extensions") return their result in a0 alone.
enum SBI {
  /// The result of an SBI call (`struct sbiret`).
  struct Result {
    var error: Int64
    var value: UInt64

    var succeeded: Bool { error == SBI.success }
  }

  /// Extension IDs (SBI §4–§12, §5 for the legacy ones).
  enum EID {
    static let base: UInt64 = 0x10
    static let time: UInt64 = 0x5449_4D45  // "TIME"
    static let ipi: UInt64 = 0x0073_5049  // "sPI"
    static let rfence: UInt64 = 0x5246_4E43  // "RFNC"
    static let hsm: UInt64 = 0x0048_534D  // "HSM"
    static let srst: UInt64 = 0x5352_5354  // "SRST"
    static let dbcn: UInt64 = 0x4442_434E  // "DBCN"
    static let legacyConsolePutchar: UInt64 = 0x01
    static let legacyConsoleGetchar: UInt64 = 0x02
    static let legacyShutdown: UInt64 = 0x08
  }

  /// Standard error codes (SBI §3, Table "Standard SBI Errors").
  static let success: Int64 = 0
  static let errFailed: Int64 = -1
  static let errNotSupported: Int64 = -2
  static let errInvalidParam: Int64 = -3
  static let errDenied: Int64 = -4
  static let errInvalidAddress: Int64 = -5
  static let errAlreadyAvailable: Int64 = -6
  static let errAlreadyStarted: Int64 = -7
  static let errAlreadyStopped: Int64 = -8

  /// The spec name of an error code, e.g. "SBI_ERR_NOT_SUPPORTED".
  static func errorName(_ error: Int64) -> String {
    switch error {
    case 0: return "SBI_SUCCESS"
    case -1: return "SBI_ERR_FAILED"
    case -2: return "SBI_ERR_NOT_SUPPORTED"
    case -3: return "SBI_ERR_INVALID_PARAM"
    case -4: return "SBI_ERR_DENIED"
    case -5: return "SBI_ERR_INVALID_ADDRESS"
    case -6: return "SBI_ERR_ALREADY_AVAILABLE"
    case -7: return "SBI_ERR_ALREADY_STARTED"
    case -8: return "SBI_ERR_ALREADY_STOPPED"
    case -9: return "SBI_ERR_NO_SHMEM"
    case -10: return "SBI_ERR_INVALID_STATE"
    case -11: return "SBI_ERR_BAD_RANGE"
    case -12: return "SBI_ERR_TIMEOUT"
    case -13: return "SBI_ERR_IO"
    case -14: return "SBI_ERR_DENIED_LOCKED"
    default: return "unknown error"
    }
  }

  /// One SBI call.
  static func call(
    _ eid: UInt64, _ fid: UInt64, _ a0: UInt64 = 0, _ a1: UInt64 = 0, _ a2: UInt64 = 0,
    _ a3: UInt64 = 0, _ a4: UInt64 = 0, _ a5: UInt64 = 0
  ) -> Result {
    let ret = sbi_ecall(eid, fid, a0, a1, a2, a3, a4, a5)
    return Result(error: ret.error, value: ret.value)
  }

  // MARK: BASE (EID 0x10, SBI §4)

  /// `sbi_get_spec_version`: (major, minor) from bits 30:24 and 23:0.
  static func specVersion() -> (major: UInt64, minor: UInt64) {
    let r = call(EID.base, 0)
    return ((r.value >> 24) & 0x7F, r.value & 0xFF_FFFF)
  }

  static func implementationID() -> UInt64 { call(EID.base, 1).value }
  static func implementationVersion() -> UInt64 { call(EID.base, 2).value }

  /// `sbi_probe_extension`: the value is 0 when the extension is absent, otherwise an
  /// extension-specific nonzero value (usually 1).
  static func probeExtension(_ eid: UInt64) -> Result { call(EID.base, 3, eid) }

  /// True when `sbi_probe_extension` succeeds with a nonzero value (an SBI v0.1
  /// implementation has no BASE and answers with an error).
  static func isPresent(_ eid: UInt64) -> Bool {
    let r = probeExtension(eid)
    return r.succeeded && r.value != 0
  }

  static func machineVendorID() -> UInt64 { call(EID.base, 4).value }
  static func machineArchitectureID() -> UInt64 { call(EID.base, 5).value }
  static func machineImplementationID() -> UInt64 { call(EID.base, 6).value }

  /// The name of a known `sbi_get_impl_id` value (SBI §4.9).
  static func implementationName(_ id: UInt64) -> String {
    switch id {
    case 0: return "BBL"
    case 1: return "OpenSBI"
    case 2: return "Xvisor"
    case 3: return "KVM"
    case 4: return "RustSBI"
    case 5: return "Diosix"
    case 6: return "Coffer"
    case 7: return "Xen Project"
    case 8: return "PolarFire Hart Software Services"
    case 9: return "coreboot"
    case 10: return "oreboot"
    case 11: return "bhyve"
    case 0x5649_5245: return "Vireo"  // "VIRE", Sources/RISCV/SBI.swift vireoImplID
    default: return "unknown"
    }
  }

  // MARK: TIME (SBI §6)

  /// `sbi_set_timer`: the next timer event at absolute `time` value `deadline`; also
  /// clears a pending supervisor timer interrupt. `UInt64.max` means "no event".
  @discardableResult
  static func setTimer(_ deadline: UInt64) -> Result { call(EID.time, 0, deadline) }

  // MARK: IPI (SBI §7)

  /// `sbi_send_ipi`: a supervisor software interrupt to each hart in the mask.
  @discardableResult
  static func sendIPI(hartMask: UInt64, hartMaskBase: UInt64) -> Result {
    call(EID.ipi, 0, hartMask, hartMaskBase)
  }

  // MARK: RFENCE (SBI §8)

  @discardableResult
  static func remoteFenceI(hartMask: UInt64, hartMaskBase: UInt64) -> Result {
    call(EID.rfence, 0, hartMask, hartMaskBase)
  }

  @discardableResult
  static func remoteSfenceVMA(
    hartMask: UInt64, hartMaskBase: UInt64, start: UInt64, size: UInt64
  ) -> Result {
    call(EID.rfence, 1, hartMask, hartMaskBase, start, size)
  }

  // MARK: HSM (SBI §9)

  /// `sbi_hart_get_status` values.
  static func hartStateName(_ state: UInt64) -> String {
    switch state {
    case 0: return "started"
    case 1: return "stopped"
    case 2: return "start pending"
    case 3: return "stop pending"
    case 4: return "suspended"
    case 5: return "suspend pending"
    case 6: return "resume pending"
    default: return "unknown"
    }
  }

  /// `sbi_hart_start`: the hart begins in S-mode at `startAddress` with a0 = its hart id
  /// and a1 = `opaque`.
  @discardableResult
  static func hartStart(hartID: UInt64, startAddress: UInt64, opaque: UInt64) -> Result {
    call(EID.hsm, 0, hartID, startAddress, opaque)
  }

  /// `sbi_hart_stop`: returns only on failure.
  @discardableResult
  static func hartStop() -> Result { call(EID.hsm, 1) }

  static func hartGetStatus(hartID: UInt64) -> Result { call(EID.hsm, 2, hartID) }

  // MARK: SRST (SBI §10)

  static let resetTypeShutdown: UInt64 = 0
  static let resetTypeColdReboot: UInt64 = 1
  static let resetTypeWarmReboot: UInt64 = 2
  static let resetReasonNone: UInt64 = 0
  static let resetReasonSystemFailure: UInt64 = 1

  /// `sbi_system_reset`: returns only on failure.
  @discardableResult
  static func systemReset(type: UInt64, reason: UInt64) -> Result {
    call(EID.srst, 0, type, reason)
  }

  /// Powers the system off: SRST shutdown with `reason`, then the legacy shutdown for
  /// SBI implementations without SRST; if both return, parks the hart.
  static func shutdown(reason: UInt64 = resetReasonNone) -> Never {
    systemReset(type: resetTypeShutdown, reason: reason)
    _ = sbi_ecall(EID.legacyShutdown, 0, 0, 0, 0, 0, 0, 0)
    csr_clear_sstatus(Trap.sstatusSIE)
    while true { wait_for_interrupt() }
  }

  /// SRST shutdown with reason "system failure".
  static func fail() -> Never { shutdown(reason: resetReasonSystemFailure) }

  // MARK: DBCN (SBI §12)

  /// `sbi_debug_console_write`: `count` bytes at physical address `address`; the value is
  /// the number of bytes written.
  static func consoleWrite(address: UInt64, count: UInt64) -> Result {
    call(EID.dbcn, 0, count, address, 0)
  }

  /// `sbi_debug_console_read`: up to `count` bytes into physical address `address`;
  /// non-blocking, the value is the number of bytes read.
  static func consoleRead(address: UInt64, count: UInt64) -> Result {
    call(EID.dbcn, 1, count, address, 0)
  }

  /// `sbi_debug_console_write_byte`: blocking.
  @discardableResult
  static func consoleWriteByte(_ byte: UInt8) -> Result { call(EID.dbcn, 2, UInt64(byte)) }

  // MARK: Legacy console (SBI §5.2, §5.3)

  static func legacyConsolePutchar(_ byte: UInt8) {
    _ = sbi_ecall(EID.legacyConsolePutchar, 0, UInt64(byte), 0, 0, 0, 0, 0)
  }

  /// The next input byte, or nil when none is waiting (the call returns -1 in a0).
  static func legacyConsoleGetchar() -> UInt8? {
    let a0 = sbi_ecall(EID.legacyConsoleGetchar, 0, 0, 0, 0, 0, 0, 0).error
    return a0 < 0 ? nil : UInt8(truncatingIfNeeded: a0)
  }
}
