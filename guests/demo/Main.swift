import Shim

/// The first `count` primes by trial division: the measured workload.
func firstPrimes(_ count: Int) -> [Int] {
  var primes: [Int] = []
  primes.reserveCapacity(count)
  var n = 2
  while primes.count < count {
    var isPrime = true
    for p in primes {
      if p * p > n { break }
      if n % p == 0 {
        isPrime = false
        break
      }
    }
    if isPrime { primes.append(n) }
    n += 1
  }
  return primes
}

/// Entry from start.S on hart 0: a0 = hart id, a1 = DTB address. Returns the exit code.
@_cdecl("demo_main")
func demoMain(_ hart: UInt64, _ dtb: UInt64) -> UInt64 {
  print("Vireo demo: RV64 hart \(hart), DTB at 0x\(hex(dtb))")

  let misa = csr_read_misa()
  print("ISA: \(ISA(misa: misa)) (misa 0x\(hex(misa)))")

  let cycle0 = csr_read_mcycle()
  let instret0 = csr_read_minstret()
  let time0 = CLINT.mtime
  let primes = firstPrimes(30)
  let cycles = csr_read_mcycle() &- cycle0
  let instructions = csr_read_minstret() &- instret0
  let ticks = CLINT.mtime &- time0
  var line = "first \(primes.count) primes:"
  for p in primes { line += " \(p)" }
  print(line)
  print("  took \(cycles) cycles, \(instructions) instructions, \(ticks) mtime ticks")

  let delay: UInt64 = 10_000
  let armedAt = CLINT.mtime
  CLINT.setMtimecmp(hart: hart, armedAt &+ delay)
  csr_set_mie(Trap.mieMTIE)
  // WFI with mstatus.MIE clear still wakes on the pending timer (Priv. §3.3.3), so testing
  // the flag and sleeping cannot miss the interrupt; MIE is opened only to take it.
  while Trap.timerInterruptAt == 0 {
    wait_for_interrupt()
    csr_set_mstatus(Trap.mstatusMIE)
    csr_clear_mstatus(Trap.mstatusMIE)
  }
  print("timer interrupt after \(Trap.timerInterruptAt &- armedAt) ticks (mtimecmp = mtime + \(delay))")

  print("Vireo demo: done")
  return 0
}
