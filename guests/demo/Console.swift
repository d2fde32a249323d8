import _Volatile

/// UART0, an NS16550A at 0x1000_0000 (QEMU virt / Vireo board), driven by polling:
/// wait for LSR.THRE (bit 5), then write the byte to THR.
enum UART {
  static let base: UInt = 0x1000_0000
  static let thrOffset: UInt = 0
  static let lsrOffset: UInt = 5
  static let lsrTHRE: UInt8 = 1 << 5

  static func write(_ byte: UInt8) {
    let lsr = VolatileMappedRegister<UInt8>(unsafeBitPattern: base &+ lsrOffset)
    let thr = VolatileMappedRegister<UInt8>(unsafeBitPattern: base &+ thrOffset)
    while lsr.load() & lsrTHRE == 0 {}
    thr.store(byte)
  }
}

/// `print()` of Embedded Swift writes one byte at a time through `putchar`; "\n" goes out as
/// "\r\n" for serial terminals.
@_cdecl("putchar")
func putchar(_ c: CInt) -> CInt {
  let byte = UInt8(truncatingIfNeeded: c)
  if byte == UInt8(ascii: "\n") { UART.write(UInt8(ascii: "\r")) }
  UART.write(byte)
  return c
}

/// Lower-case hexadecimal digits of `value`, without prefix or padding.
func hex(_ value: UInt64) -> String {
  String(value, radix: 16)
}
