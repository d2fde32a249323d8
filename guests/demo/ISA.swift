/// The `misa` CSR (Priv. §3.1.1): MXL in bits 63:62, one bit per extension letter A–Z.
struct ISA: CustomStringConvertible {
  let misa: UInt64

  /// Letters in the order of the ISA naming conventions (Unpriv. §"ISA Extension Naming
  /// Conventions"); any other letter present follows alphabetically.
  static let canonicalOrder: StaticString = "iemafdgqlcbkjtpvhnsu"

  var xlen: Int {
    switch misa >> 62 {
    case 1: return 32
    case 2: return 64
    case 3: return 128
    default: return 0
    }
  }

  func has(_ letter: UInt8) -> Bool {
    misa & (1 << UInt64(letter &- UInt8(ascii: "a"))) != 0
  }

  /// For example "rv64imacsu".
  var description: String {
    var letters: [UInt8] = []
    let order = ISA.canonicalOrder
    order.withUTF8Buffer { buffer in
      for letter in buffer where has(letter) { letters.append(letter) }
    }
    for letter in UInt8(ascii: "a")...UInt8(ascii: "z") where has(letter) && !letters.contains(letter) {
      letters.append(letter)
    }
    return "rv\(xlen)" + String(decoding: letters, as: UTF8.self)
  }
}
