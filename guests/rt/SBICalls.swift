import GuestShim

/// The Supervisor Binary Interface as a guest sees it (SBI v2.0, §3 "Binary Encoding"):
/// `ecall` with the extension ID in a7, the function ID in a6 and arguments in a0–a5;
/// the result comes back as (error in a0, value in a1). The legacy extensions 0x01/0x02
/// (§5 "Legacy Extensions") return their result in a0 alone.
///
/// The numbers (extension and function IDs, error codes, SRST types and reasons, HSM
/// states) are `enum SBI` of Sources/RISCV/SBI.swift, shared with the firmware and the
/// host and compiled into every guest module; this file adds the calls.
extension SBI {
  /// The result of an SBI call (`struct sbiret`).
  struct Result {
    var error: Int64
    var value: UInt64

    var succeeded: Bool { error == SBI.success }
  }

  /// The spec name of an error code, e.g. "SBI_ERR_NOT_SUPPORTED".
  static func errorName(_ error: Int64) -> String {
    switch error {
    case success: return "SBI_SUCCESS"
    case errFailed: return "SBI_ERR_FAILED"
    case errNotSupported: return "SBI_ERR_NOT_SUPPORTED"
    case errInvalidParam: return "SBI_ERR_INVALID_PARAM"
    case errDenied: return "SBI_ERR_DENIED"
    case errInvalidAddress: return "SBI_ERR_INVALID_ADDRESS"
    case errAlreadyAvailable: return "SBI_ERR_ALREADY_AVAILABLE"
    case errAlreadyStarted: return "SBI_ERR_ALREADY_STARTED"
    case errAlreadyStopped: return "SBI_ERR_ALREADY_STOPPED"
    // SBI 2.0 codes Sources/RISCV/SBI.swift does not name.
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

  /// `sbi_get_spec_version` of the SBI implementation: (major, minor) from bits 30:24 and
  /// 23:0. (`SBI.specVersion` is the version the Vireo firmware implements.)
  static func implementedSpecVersion() -> (major: UInt64, minor: UInt64) {
    let r = call(base, Base.getSpecVersion)
    return ((r.value >> 24) & 0x7F, r.value & 0xFF_FFFF)
  }

  static func implementationID() -> UInt64 { call(base, Base.getImplID).value }
  static func implementationVersion() -> UInt64 { call(base, Base.getImplVersion).value }

  /// `sbi_probe_extension`: the value is 0 when the extension is absent, otherwise an
  /// extension-specific nonzero value (usually 1).
  static func probeExtension(_ eid: UInt64) -> Result { call(base, Base.probeExtension, eid) }

  /// True when `sbi_probe_extension` succeeds with a nonzero value (an SBI v0.1
  /// implementation has no BASE and answers with an error).
  static func isPresent(_ eid: UInt64) -> Bool {
    let r = probeExtension(eid)
    return r.succeeded && r.value != 0
  }

  static func machineVendorID() -> UInt64 { call(base, Base.getMvendorid).value }
  static func machineArchitectureID() -> UInt64 { call(base, Base.getMarchid).value }
  static func machineImplementationID() -> UInt64 { call(base, Base.getMimpid).value }

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
    case vireoImplID: return "Vireo"
    default: return "unknown"
    }
  }

  // MARK: TIME (SBI §6)

  /// `sbi_set_timer` (FID 0): the next timer event at absolute `time` value `deadline`;
  /// also clears a pending supervisor timer interrupt. `UInt64.max` means "no event".
  @discardableResult
  static func setTimer(_ deadline: UInt64) -> Result { call(time, 0, deadline) }

  // MARK: IPI (SBI §7)

  /// `sbi_send_ipi` (FID 0): a supervisor software interrupt to each hart in the mask.
  @discardableResult
  static func sendIPI(hartMask: UInt64, hartMaskBase: UInt64) -> Result {
    call(ipi, 0, hartMask, hartMaskBase)
  }

  // MARK: RFENCE (SBI §8)

  @discardableResult
  static func remoteFenceI(hartMask: UInt64, hartMaskBase: UInt64) -> Result {
    call(rfence, RFence.fenceI, hartMask, hartMaskBase)
  }

  @discardableResult
  static func remoteSfenceVMA(
    hartMask: UInt64, hartMaskBase: UInt64, start: UInt64, size: UInt64
  ) -> Result {
    call(rfence, RFence.sfenceVMA, hartMask, hartMaskBase, start, size)
  }

  /// `sbi_remote_sfence_vma_asid`: the same, for address space `asid` alone.
  @discardableResult
  static func remoteSfenceVMAASID(
    hartMask: UInt64, hartMaskBase: UInt64, start: UInt64, size: UInt64, asid: UInt64
  ) -> Result {
    call(rfence, RFence.sfenceVMAASID, hartMask, hartMaskBase, start, size, asid)
  }

  // MARK: HSM (SBI §9)

  /// `sbi_hart_get_status` values.
  static func hartStateName(_ state: UInt64) -> String {
    switch state {
    case HSM.started: return "started"
    case HSM.stopped: return "stopped"
    case HSM.startPending: return "start pending"
    case HSM.stopPending: return "stop pending"
    case HSM.suspended: return "suspended"
    // States Sources/RISCV/SBI.swift does not name.
    case 5: return "suspend pending"
    case 6: return "resume pending"
    default: return "unknown"
    }
  }

  /// `sbi_hart_start`: the hart begins in S-mode at `startAddress` with a0 = its hart id
  /// and a1 = `opaque`.
  @discardableResult
  static func hartStart(hartID: UInt64, startAddress: UInt64, opaque: UInt64) -> Result {
    call(hsm, HSM.hartStart, hartID, startAddress, opaque)
  }

  /// `sbi_hart_stop`: returns only on failure.
  @discardableResult
  static func hartStop() -> Result { call(hsm, HSM.hartStop) }

  static func hartGetStatus(hartID: UInt64) -> Result { call(hsm, HSM.hartGetStatus, hartID) }

  // MARK: SRST (SBI §10)

  /// `sbi_system_reset` with a type and reason of `SBI.SRST`: returns only on failure.
  @discardableResult
  static func systemReset(type: UInt64, reason: UInt64) -> Result {
    call(srst, SRST.systemReset, type, reason)
  }

  /// Powers the system off: SRST shutdown with `reason`, then the legacy shutdown for
  /// SBI implementations without SRST; if both return, parks the hart.
  static func shutdown(reason: UInt64 = SRST.reasonNone) -> Never {
    systemReset(type: SRST.shutdown, reason: reason)
    _ = sbi_ecall(legacyShutdown, 0, 0, 0, 0, 0, 0, 0)
    csr_clear_sstatus(Mstatus.SIE)
    while true { wait_for_interrupt() }
  }

  /// SRST shutdown with reason "system failure".
  static func fail() -> Never { shutdown(reason: SRST.reasonFailure) }

  // MARK: DBCN (SBI §12)

  /// `sbi_debug_console_write`: `count` bytes at physical address `address`; the value is
  /// the number of bytes written.
  static func consoleWrite(address: UInt64, count: UInt64) -> Result {
    call(dbcn, DBCN.write, count, address, 0)
  }

  /// `sbi_debug_console_read`: up to `count` bytes into physical address `address`;
  /// non-blocking, the value is the number of bytes read.
  static func consoleRead(address: UInt64, count: UInt64) -> Result {
    call(dbcn, DBCN.read, count, address, 0)
  }

  /// `sbi_debug_console_write_byte`: blocking.
  @discardableResult
  static func consoleWriteByte(_ byte: UInt8) -> Result {
    call(dbcn, DBCN.writeByte, UInt64(byte))
  }

  // MARK: Legacy console (SBI §5.2, §5.3; EIDs `SBI.legacyConsolePutchar`/`Getchar`)

  static func legacyPutchar(_ byte: UInt8) {
    _ = sbi_ecall(SBI.legacyConsolePutchar, 0, UInt64(byte), 0, 0, 0, 0, 0)
  }

  /// The next input byte, or nil when none is waiting (the call returns -1 in a0).
  static func legacyGetchar() -> UInt8? {
    let a0 = sbi_ecall(SBI.legacyConsoleGetchar, 0, 0, 0, 0, 0, 0, 0).error
    return a0 < 0 ? nil : UInt8(truncatingIfNeeded: a0)
  }
}
