import _Volatile

/// Core-local interruptor as on QEMU virt (SiFive CLINT layout): `mtimecmp` of hart h at
/// +0x4000 + 8·h, `mtime` at +0xBFF8, counting at 10 MHz (Priv. §3.2.1 "Machine Timer Registers").
enum CLINT {
  static let base: UInt = 0x0200_0000
  static let mtimecmpOffset: UInt = 0x4000
  static let mtimeOffset: UInt = 0xBFF8

  static var mtime: UInt64 {
    VolatileMappedRegister<UInt64>(unsafeBitPattern: base &+ mtimeOffset).load()
  }

  static func setMtimecmp(hart: UInt64, _ value: UInt64) {
    let address = base &+ mtimecmpOffset &+ UInt(truncatingIfNeeded: hart) &* 8
    VolatileMappedRegister<UInt64>(unsafeBitPattern: address).store(value)
  }
}
