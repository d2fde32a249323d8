import Shim

/// Machine-mode trap handling (Priv. §3.1.15 `mcause`): the demo only expects the machine
/// timer interrupt; anything else is reported and ends the run with exit code 3.
enum Trap {
  static let interruptBit: UInt64 = 1 << 63
  static let machineTimerInterrupt: UInt64 = interruptBit | 7
  static let mieMTIE: UInt64 = 1 << 7
  static let mstatusMIE: UInt64 = 1 << 3

  /// `mtime` read by the timer interrupt handler; 0 until the interrupt arrives.
  static var timerInterruptAt: UInt64 = 0
}

/// Called by `trap_entry` in start.S with the trap CSRs.
@_cdecl("demo_trap")
func demoTrap(_ mcause: UInt64, _ mepc: UInt64, _ mtval: UInt64) {
  if mcause == Trap.machineTimerInterrupt {
    Trap.timerInterruptAt = CLINT.mtime
    csr_clear_mie(Trap.mieMTIE)  // one-shot
    return
  }
  print("demo: unexpected trap mcause=0x\(hex(mcause)) mepc=0x\(hex(mepc)) mtval=0x\(hex(mtval))")
  demo_exit(3)
}
