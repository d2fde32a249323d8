import _Volatile

/// A 64-bit word shared between the trap handler and the code it interrupts. Every access
/// is a real load or store (`_Volatile`), so a loop polling it sees the handler's writes
/// (a plain global could be kept in a register for the whole loop).
struct SharedCounter {
  private let address: UInt

  init() {
    let cell = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
    cell.initialize(to: 0)
    address = UInt(bitPattern: cell)
  }

  var value: UInt64 {
    get { VolatileMappedRegister<UInt64>(unsafeBitPattern: address).load() }
    nonmutating set { VolatileMappedRegister<UInt64>(unsafeBitPattern: address).store(newValue) }
  }
}
