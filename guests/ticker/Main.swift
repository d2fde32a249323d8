import GuestShim

/// Ticks to wait for, and their period.
let tickTarget: UInt64 = 10
let periodMilliseconds: UInt64 = 10

/// Where the compute loop leaves its result, so the compiler cannot drop the work.
let sink = SharedCounter()

/// The ticker guest: a periodic supervisor timer interrupt (SBI set_timer every 10 ms of
/// `time`) counted in the trap handler, while the main loop only computes (CRC-32 of an
/// LCG stream) and now and then looks at the tick count. It never calls SBI between two
/// looks, so each new count it sees shows an interrupt taken in the middle of the
/// computation. After 10 ticks the handler stops the timer and the guest reports.
@_cdecl("guest_main")
func guestMain(_ hart: UInt64, _ dtb: UInt64) {
  print("ticker: Vireo guest ticker on hart \(hart)")
  if let timebase = DeviceTree(address: dtb)?.timebaseFrequency, timebase != 0 {
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
  let observed = computeUntilTicks(tickTarget)
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

/// One byte of the reflected CRC-32 (polynomial 0xEDB88320), bit by bit.
@inline(__always)
func crc32Step(_ crc: UInt32, _ byte: UInt8) -> UInt32 {
  var c = crc ^ UInt32(byte)
  for _ in 0..<8 {
    c = (c >> 1) ^ (0xEDB8_8320 & (0 &- (c & 1)))
  }
  return c
}
