import GuestShim

/// The guest console: the SBI debug console (DBCN, SBI §12) when the SBI implementation
/// has it, otherwise the legacy console putchar/getchar (EID 0x01/0x02). Bytes go out
/// unchanged; the SBI implementation adds "\r" before "\n" where its console needs it
/// (OpenSBI does).
enum Console {
  /// 0 = not probed yet, 1 = DBCN, 2 = legacy console.
  private static var backend: UInt8 = 0

  /// True when output and input use DBCN (probed once, on first use).
  static var hasDebugConsole: Bool {
    if backend == 0 { backend = SBI.isPresent(SBI.dbcn) ? 1 : 2 }
    return backend == 1
  }

  static func writeByte(_ byte: UInt8) {
    if hasDebugConsole {
      SBI.consoleWriteByte(byte)
    } else {
      SBI.legacyPutchar(byte)
    }
  }

  /// Reads the bytes waiting on the console into `buffer` (non-blocking): returns how many
  /// were read (0 when none) and the SBI error code (`SBI.success` unless the read failed).
  static func read(into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, error: Int64) {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return (0, SBI.success) }
    if hasDebugConsole {
      // satp = 0: the buffer's address is the physical address DBCN takes.
      let r = SBI.consoleRead(address: UInt64(UInt(bitPattern: base)), count: UInt64(buffer.count))
      return r.succeeded ? (Int(r.value), SBI.success) : (0, r.error)
    }
    var count = 0
    while count < buffer.count, let byte = SBI.legacyGetchar() {
      buffer[count] = byte
      count += 1
    }
    return (count, SBI.success)
  }
}

/// `print()` of Embedded Swift writes one byte at a time through `putchar` (runtime.c),
/// which forwards here.
@_cdecl("rt_console_putchar")
func rtConsolePutchar(_ byte: UInt8) {
  Console.writeByte(byte)
}

/// Lower-case hexadecimal with a "0x" prefix, zero-padded to at least `digits` digits.
func hex(_ value: UInt64, digits: Int = 1) -> String {
  var text = String(value, radix: 16)
  let width = text.utf8.count
  if width < digits { text = String(repeating: "0", count: digits - width) + text }
  return "0x" + text
}

/// Signed decimal.
func decimal(_ value: Int64) -> String { String(value) }

/// Unsigned decimal.
func decimal(_ value: UInt64) -> String { String(value) }
