import GuestShim

/// Ticks to wait for (`ticks=N` in bootargs), and their period.
nonisolated(unsafe) var tickTarget: UInt64 = 10
let periodMilliseconds: UInt64 = 10

/// Where the compute loop leaves its result, so the compiler cannot drop the work.
let sink = SharedCounter()

/// The ticker guest: a periodic supervisor timer interrupt (SBI set_timer every 10 ms of
/// `time`) counted in the trap handler, while the main loop only computes (CRC-32 of an
/// LCG stream) and now and then looks at the tick count. It never calls SBI between two
/// looks, so each new count it sees shows an interrupt taken in the middle of the
/// computation. After 10 ticks (`ticks=N`) the handler stops the timer and the guest
/// reports. With `sleep` in bootargs the main loop waits in WFI instead of computing: a
/// guest that takes almost no CPU and ends after N × 10 ms (the scheduling tests use it as
/// a Dom0 that only keeps the board up).
@_cdecl("guest_main")
func guestMain(_ hart: UInt64, _ dtb: UInt64) {
  print("ticker: Vireo guest ticker on hart \(hart)")
  let tree = DeviceTree(address: dtb)
  let bootargs = tree?.bootargs ?? ""
  var sleep = false
  for word in words(bootargs) {
    if sameText(word, "sleep") { sleep = true }
    if let n = ticksOption(word) { tickTarget = n }
  }
  if let timebase = tree?.timebaseFrequency, timebase != 0 {
    Timer.timebaseFrequency = timebase
  } else {
    print("ticker: no timebase-frequency in the device tree, assuming \(Timer.timebaseFrequency) Hz")
  }
  let period = Timer.counts(milliseconds: periodMilliseconds)
  print("ticker: timebase \(Timer.timebaseFrequency) Hz, a tick every \(periodMilliseconds) ms = \(period) counts")

  Timer.startPeriodic(period: period) {
    if Timer.ticks.value >= tickTarget { Timer.stopPeriodic() }
  }
  Trap.enableInterrupts()
  let observed = sleep ? sleepUntilTicks(tickTarget) : computeUntilTicks(tickTarget)
  Trap.disableInterrupts()

  print("ticker: \(Timer.ticks.value) ticks, main loop preempted \(observed) times")
  print("ticker: done")
  SBI.shutdown()
}

/// Computes until the tick count reaches `target`; returns how many distinct tick values
/// it saw, i.e. how many times it was preempted by the timer interrupt between two looks.
/// A look comes every 512 CRC steps (a few microseconds), far below the 10 ms period, so
/// every tick is seen once and the count is `target`.
func computeUntilTicks(_ target: UInt64) -> UInt64 {
  var crc: UInt32 = 0xFFFF_FFFF
  var state: UInt64 = 0x2545_F491_4F6C_DD1D
  var seen: UInt64 = 0
  var observed: UInt64 = 0
  while seen < target {
    for _ in 0..<512 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      crc = crc32Step(crc, UInt8(truncatingIfNeeded: state >> 56))
    }
    let ticks = Timer.ticks.value
    if ticks != seen {
      seen = ticks
      observed &+= 1
    }
  }
  sink.value = UInt64(crc)
  return observed
}

/// Waits in WFI until the tick count reaches `target`; returns the ticks seen.
func sleepUntilTicks(_ target: UInt64) -> UInt64 {
  while Timer.ticks.value < target { wait_for_interrupt() }
  return Timer.ticks.value
}

/// N from a "ticks=N" word (1...100000), else nil.
func ticksOption(_ word: String) -> UInt64? {
  let prefix = "ticks="
  guard word.utf8.count > prefix.utf8.count, word.utf8.starts(with: prefix.utf8) else { return nil }
  var n: UInt64 = 0
  for c in word.utf8.dropFirst(prefix.utf8.count) {
    guard c >= 0x30 && c <= 0x39, n < 100_000 else { return nil }
    n = n * 10 + UInt64(c - 0x30)
  }
  return n >= 1 && n <= 100_000 ? n : nil
}

/// One byte of the reflected CRC-32 (polynomial 0xEDB88320), bit by bit.
@inline(__always)
func crc32Step(_ crc: UInt32, _ byte: UInt8) -> UInt32 {
  var c = crc ^ UInt32(byte)
  for _ in 0..<8 {
    c = (c >> 1) ^ (0xEDB8_8320 & (0 &- (c & 1)))
  }
  return c
}
