import GuestShim

/// The supervisor timer through SBI TIME (SBI §6): the `time` CSR counts at the DTB's
/// /cpus "timebase-frequency"; `SBI.setTimer` arms the next supervisor timer interrupt
/// (and clears a pending one); sie.STIE lets it in. `startPeriodic` turns it into a tick
/// every `period` counts, calling `tickHandler` from the trap handler.
enum Timer {
  /// Counts per second of `time`; set from the DTB (10 MHz on QEMU virt and the board).
  static var timebaseFrequency: UInt64 = 10_000_000

  /// The `time` CSR.
  static var now: UInt64 { csr_read_time() }

  /// `time` counts in `milliseconds`.
  static func counts(milliseconds: UInt64) -> UInt64 { timebaseFrequency &* milliseconds / 1000 }

  /// Arms the timer for absolute time `deadline`.
  static func setDeadline(_ deadline: UInt64) { SBI.setTimer(deadline) }

  /// Disarms the timer (deadline "never") and clears a pending timer interrupt.
  static func cancel() { SBI.setTimer(UInt64.max) }

  static func enableInterrupt() { csr_set_sie(Interrupt.STIP) }
  static func disableInterrupt() { csr_clear_sie(Interrupt.STIP) }

  /// Waits about `counts` of `time` in `wfi` (other harts, or other guests under a
  /// hypervisor, get the processor meanwhile). Interrupts stay closed: a pending timer
  /// interrupt wakes `wfi` without being taken (Priv. §3.3.3), and the timer is disarmed
  /// again afterwards. Not for use while `startPeriodic` ticks run.
  ///
  /// `wakeOn` (sip bits, e.g. `Interrupt.SSIP`) ends the wait early once one of those
  /// interrupts is pending: it wakes `wfi` too but is not taken with interrupts closed, so
  /// without it the loop would spin until the deadline. It stays pending, and is taken
  /// when the caller's sstatus.SIE (restored here) lets it in.
  static func sleep(counts: UInt64, wakeOn: UInt64 = 0) {
    let wasEnabled = csr_read_sstatus() & Mstatus.SIE != 0
    Trap.disableInterrupts()
    let until = now &+ counts
    setDeadline(until)
    enableInterrupt()
    while now < until && (wakeOn == 0 || csr_read_sip() & wakeOn == 0) { wait_for_interrupt() }
    disableInterrupt()
    cancel()
    if wasEnabled { Trap.enableInterrupts() }
  }

  /// Ticks taken since `startPeriodic` (which zeroes it); counted by the trap handler.
  static let ticks = SharedCounter()

  /// Called from the trap handler after each tick is counted; must not allocate.
  static var tickHandler: (() -> Void)? = nil

  private static var period: UInt64 = 0
  private static var deadline: UInt64 = 0

  /// Starts a tick every `period` counts of `time` and enables the timer interrupt
  /// (sstatus.SIE is the caller's to open).
  static func startPeriodic(period: UInt64, onTick: (() -> Void)? = nil) {
    ticks.value = 0
    tickHandler = onTick
    Timer.period = period
    deadline = now &+ period
    setDeadline(deadline)
    enableInterrupt()
  }

  /// Stops the ticks: disarms the timer and disables its interrupt.
  static func stopPeriodic() {
    disableInterrupt()
    period = 0
    cancel()
  }

  /// The supervisor timer interrupt (from `guest_trap`). The next deadline keeps the
  /// period; when it has already passed (the guest was not running), the ticks restart
  /// one period from now instead of arriving back to back.
  static func handleInterrupt() {
    guard period != 0 else {
      cancel()
      return
    }
    ticks.value &+= 1
    deadline &+= period
    let current = now
    if deadline <= current &+ period / 4 { deadline = current &+ period }
    setDeadline(deadline)
    tickHandler?()
  }
}
