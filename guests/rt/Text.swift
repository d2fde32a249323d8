/// Byte-wise text helpers. Comparing Strings with `==` pulls in Unicode normalization
/// (libswiftUnicodeDataTables.a, ~37 KB); device tree names and command-line words are
/// ASCII, so comparing their UTF-8 bytes is enough.

/// True when `a` and `b` hold the same UTF-8 bytes.
func sameText(_ a: String, _ b: String) -> Bool {
  a.utf8.elementsEqual(b.utf8)
}

/// The space-separated words of a command line, e.g. "case=spin echo" → ["case=spin", "echo"].
func words(_ line: String) -> [String] {
  fields(line) { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
}

/// The pieces of `text` between separator bytes, empty pieces dropped.
func fields(_ text: String, separatedBy isSeparator: (UInt8) -> Bool) -> [String] {
  var result: [String] = []
  var current: [UInt8] = []
  for byte in text.utf8 {
    if isSeparator(byte) {
      if !current.isEmpty { result.append(String(decoding: current, as: UTF8.self)) }
      current.removeAll()
    } else {
      current.append(byte)
    }
  }
  if !current.isEmpty { result.append(String(decoding: current, as: UTF8.self)) }
  return result
}

/// True when the command line has `word` as one of its words.
func hasWord(_ line: String, _ word: String) -> Bool {
  for candidate in words(line) where sameText(candidate, word) { return true }
  return false
}
