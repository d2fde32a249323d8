import GuestShim

/// Dom0's console output, a line at a time through one DBCN write (SBI §12.1) instead of
/// one call per byte. Lines end in "\n" alone, as the firmware's do: the terminal's output
/// processing (kept by `vireo`, as by QEMU) returns the carriage.
enum Out {
  static var pending: [UInt8] = []

  static func put(_ s: String) {
    pending += Array(s.utf8)
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
