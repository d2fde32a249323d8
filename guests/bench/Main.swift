import GuestShim
import _Volatile

/// The bench guest: the same S-mode kernel runs natively on the board (under OpenSBI) and
/// as a guest of the Vireo firmware; `vireo bench --hypervisor` runs both and compares.
/// Every figure is in modeled cycles read from the `cycle` CSR, so runs are deterministic.
/// Lines: "bench: NAME VALUE" (parsed by the host; keep the format).
let sink = SharedCounter()

@_cdecl("guest_main")
func guestMain(_ hart: UInt64, _ dtb: UInt64) {
  if let timebase = DeviceTree(address: dtb)?.timebaseFrequency, timebase != 0 {
    Timer.timebaseFrequency = timebase
  }
  print("bench: start")

  // 1. CPU-bound work: CRC-32 of an LCG stream.
  var start = csr_read_cycle()
  sink.value = compute(steps: 400_000)
  print("bench: compute-cycles \(csr_read_cycle() &- start)")

  // 2. The cheapest exit: an SBI call the firmware refuses at once (unknown extension).
  let rounds: UInt64 = 200
  start = csr_read_cycle()
  for _ in 0..<rounds { _ = SBI.call(0x0A00_0042, 0) }
  print("bench: exit-round-trip-cycles \((csr_read_cycle() &- start) / rounds)")

  // 3. A real SBI call: TIME set_timer (to "never").
  start = csr_read_cycle()
  for _ in 0..<rounds { _ = SBI.setTimer(UInt64.max) }
  print("bench: sbi-set-timer-cycles \((csr_read_cycle() &- start) / rounds)")

  // 4. A device register read: the UART's scratch register. Under the firmware each read
  //    is a guest-page fault emulated by the hypervisor.
  let scratch = VolatileMappedRegister<UInt8>(unsafeBitPattern: 0x1000_0007)
  start = csr_read_cycle()
  var bytes: UInt64 = 0
  for _ in 0..<rounds { bytes &+= UInt64(scratch.load()) }
  print("bench: uart-read-cycles \((csr_read_cycle() &- start) / rounds)")
  sink.value &+= bytes

  // 5. An IPI to itself (SBI sPI send_ipi, mask 1 at its own hart id), SSIP cleared each
  //    round: under the firmware the IPI extension's handler (start.S's SBI fast path).
  start = csr_read_cycle()
  for _ in 0..<rounds {
    _ = SBI.sendIPI(hartMask: 1, hartMaskBase: hart)
    csr_write_sip(0)
  }
  print("bench: sbi-ipi-cycles \((csr_read_cycle() &- start) / rounds)")

  // 6. Timer interrupts: the same work again with a tick every 100 µs; the extra cycles
  //    per tick are what delivering one timer interrupt (and re-arming it) costs.
  let period = Timer.counts(milliseconds: 1) / 10
  Timer.startPeriodic(period: period)
  Trap.enableInterrupts()
  start = csr_read_cycle()
  sink.value &+= compute(steps: 400_000)
  let withTicks = csr_read_cycle() &- start
  Trap.disableInterrupts()
  Timer.stopPeriodic()
  print("bench: ticks \(Timer.ticks.value)")
  print("bench: compute-with-ticks-cycles \(withTicks)")
  print("bench: done")
  SBI.shutdown()
}

/// `steps` bytes of CRC-32 (reflected, 0xEDB88320) over an LCG stream.
func compute(steps: Int) -> UInt64 {
  var crc: UInt32 = 0xFFFF_FFFF
  var state: UInt64 = 0x2545_F491_4F6C_DD1D
  for _ in 0..<steps {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    var c = crc ^ UInt32(truncatingIfNeeded: state >> 56)
    for _ in 0..<8 { c = (c >> 1) ^ (0xEDB8_8320 & (0 &- (c & 1))) }
    crc = c
  }
  return UInt64(crc)
}
