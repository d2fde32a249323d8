import GuestShim

/// Dom0's console output, a line at a time through one DBCN write (SBI §12.1) instead of
/// one call per byte; "\n" becomes "\r\n" for the terminal.
enum Out {
  static var pending: [UInt8] = []

  static func put(_ s: String) {
    for b in s.utf8 {
      if b == 0x0A { pending.append(0x0D) }
      pending.append(b)
    }
    if pending.count >= 512 { flush() }
  }

  static func line(_ s: String = "") { put(s + "\n") }

  static func bytes(_ b: [UInt8]) {
    pending += b
    flush()
  }

  static func flush() {
    var done = 0
    while done < pending.count {
      let n = pending.withUnsafeBytes { raw -> Int in
        let r = SBI.consoleWrite(address: UInt64(UInt(bitPattern: raw.baseAddress! + done)), count: UInt64(raw.count - done))
        return r.succeeded ? Int(r.value) : raw.count - done
      }
      done += max(n, 1)
    }
    pending.removeAll(keepingCapacity: true)
  }
}
