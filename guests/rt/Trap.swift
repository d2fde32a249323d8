import GuestShim

/// Supervisor trap handling (Priv. §12.1.8 "Supervisor Cause Register"): `rt_trap_entry`
/// (start.S) saves the registers into a `TrapFrame` and calls `guest_trap`, which sends
/// the supervisor timer interrupt to `Timer`, a software interrupt to
/// `softwareInterruptHandler`, a supervisor external interrupt to the PLIC claim loop
/// (`externalInterruptHandler`, once a driver set one), and an exception to
/// `exceptionHandler`. Anything nobody handles is reported with scause, sepc and stval,
/// and the guest shuts down with SRST reason "system failure".
///
/// Interrupt codes and sie/sip bits are `Interrupt` (SSI, STI, SEI; SSIP, STIP, SEIP) and the
/// sstatus bits are `Mstatus` (sstatus is a view of mstatus), from Sources/RISCV/CSR.swift.
enum Trap {
  /// scause bit 63: the trap is an interrupt.
  static let interruptBit: UInt64 = 1 << 63

  /// Called for every exception: returns true when it handled it (it may move
  /// `frame.pointee.sepc` to resume elsewhere), false to report it as unexpected.
  /// It runs in the trap handler: it must not allocate.
  static var exceptionHandler: ((UnsafeMutablePointer<TrapFrame>) -> Bool)? = nil

  /// Called for a supervisor software interrupt (an IPI), after sip.SSIP is cleared.
  static var softwareInterruptHandler: (() -> Void)? = nil

  /// Called for a supervisor external interrupt, once per source claimed from
  /// `externalInterruptController` (PLIC.swift): `guest_trap` claims until the claim reads 0
  /// and completes each source after its call. Set by `PLICDriver.attach`, or by hand. With
  /// either of the two nil (the default) an external interrupt is reported as unexpected.
  /// It runs in the trap handler: it must not allocate.
  static var externalInterruptHandler: ((UInt32) -> Void)? = nil

  /// The PLIC (this hart's S-mode context) that external interrupts are claimed from.
  static var externalInterruptController: PLICDriver? = nil

  /// A supervisor external interrupt (interrupt code `cause` 9): claims from
  /// `externalInterruptController` until the claim reads 0, calls `externalInterruptHandler`
  /// for each source and completes it. Returns false for another cause, or when either is
  /// nil. Out of line, so that `guest_trap`'s timer and software-interrupt paths stay as
  /// short as they were.
  @inline(never)
  static func handleExternalInterrupt(_ cause: UInt64) -> Bool {
    guard cause == Interrupt.SEI, let handler = externalInterruptHandler, let plic = externalInterruptController
    else { return false }
    plic.dispatch(handler)
    return true
  }

  /// Opens sstatus.SIE: enabled interrupts (sie) are taken from now on.
  static func enableInterrupts() { csr_set_sstatus(Mstatus.SIE) }

  /// Closes sstatus.SIE.
  static func disableInterrupts() { csr_clear_sstatus(Mstatus.SIE) }

  /// The length of the instruction at `address`: 2 for a compressed one, else 4.
  static func instructionLength(at address: UInt64) -> UInt64 {
    let low = UnsafePointer<UInt16>(bitPattern: UInt(address))!.pointee
    return low & 3 == 3 ? 4 : 2
  }

  /// A short description of `scause`, e.g. "load access fault".
  static func causeName(_ scause: UInt64) -> String {
    if scause & interruptBit != 0 {
      switch scause & ~interruptBit {
      case Interrupt.SSI: return "supervisor software interrupt"
      case Interrupt.STI: return "supervisor timer interrupt"
      case Interrupt.SEI: return "supervisor external interrupt"
      case 13: return "counter-overflow interrupt"
      default: return "interrupt"
      }
    }
    switch scause {
    case 0: return "instruction address misaligned"
    case 1: return "instruction access fault"
    case 2: return "illegal instruction"
    case 3: return "breakpoint"
    case 4: return "load address misaligned"
    case 5: return "load access fault"
    case 6: return "store/AMO address misaligned"
    case 7: return "store/AMO access fault"
    case 8: return "environment call from U-mode"
    case 9: return "environment call from S-mode"
    case 12: return "instruction page fault"
    case 13: return "load page fault"
    case 15: return "store/AMO page fault"
    case 18: return "software check"
    case 19: return "hardware error"
    default: return "exception"
    }
  }

  /// Reports a trap nobody handled and shuts down with SRST "system failure".
  static func unexpected(_ frame: UnsafeMutablePointer<TrapFrame>) -> Never {
    let f = frame.pointee
    print("trap: unexpected \(causeName(f.scause)) (scause \(hex(f.scause))) at sepc \(hex(f.sepc)), stval \(hex(f.stval))")
    SBI.fail()
  }
}

/// Called by `rt_trap_entry` (start.S) for every trap.
@_cdecl("guest_trap")
func guestTrap(_ frame: UnsafeMutablePointer<TrapFrame>) {
  let scause = frame.pointee.scause
  if scause & Trap.interruptBit != 0 {
    switch scause & ~Trap.interruptBit {
    case Interrupt.STI:
      Timer.handleInterrupt()
      return
    case Interrupt.SSI:
      csr_clear_sip(Interrupt.SSIP)
      if let handler = Trap.softwareInterruptHandler {
        handler()
        return
      }
    default:
      if Trap.handleExternalInterrupt(scause & ~Trap.interruptBit) { return }
    }
  } else if let handler = Trap.exceptionHandler, handler(frame) {
    return
  }
  Trap.unexpected(frame)
}
