import GuestShim

/// An SBI extension ID nobody implements: in the firmware-specific range
/// (0x0A00_0000–0x0AFF_FFFF), away from Vireo's control interface (0x0A56_4952).
let unknownExtension: UInt64 = 0x0A00_0042

/// The hello guest: reports what its device tree and its SBI implementation say, checks
/// that an unknown SBI extension is refused, optionally echoes one console line
/// (bootargs word "echo"), and shuts down through SRST.
@_cdecl("guest_main")
func guestMain(_ hart: UInt64, _ dtb: UInt64) {
  print("hello: Vireo guest hello on hart \(hart)")
  let tree = DeviceTree(address: dtb)
  if let tree {
    reportDeviceTree(tree, hart: hart)
  } else {
    print("hello: no valid device tree at a1")
  }
  reportSBI()

  if let bootargs = tree?.bootargs, hasWord(bootargs, "echo") {
    echoOneLine()
  }
  print("hello: done, shutting down")
  SBI.shutdown()
}

func reportDeviceTree(_ tree: DeviceTree, hart: UInt64) {
  if let memory = tree.memory {
    print("hello: memory base \(hex(memory.base)) size \(hex(memory.size))")
  } else {
    print("hello: no memory node")
  }
  print("hello: cpus \(tree.cpuCount)")
  let isa = tree.isa(ofHart: 0) ?? "(none)"
  print("hello: cpu 0 riscv,isa \(isa)")
  if let timebase = tree.timebaseFrequency {
    print("hello: timebase-frequency \(timebase) Hz")
  }
  if let bootargs = tree.bootargs {
    print("hello: bootargs \"\(bootargs)\"")
  } else {
    print("hello: no bootargs")
  }
  print("hello: stdout-path \(tree.stdoutPath ?? "(none)")")
}

func reportSBI() {
  let version = SBI.implementedSpecVersion()
  print("hello: SBI spec \(version.major).\(version.minor)")
  let impl = SBI.implementationID()
  print("hello: SBI implementation \(SBI.implementationName(impl)) (id \(impl)), version \(hex(SBI.implementationVersion()))")
  let extensions: [(String, UInt64)] = [
    ("BASE", SBI.base), ("TIME", SBI.time), ("IPI", SBI.ipi),
    ("RFENCE", SBI.rfence), ("HSM", SBI.hsm), ("SRST", SBI.srst),
    ("DBCN", SBI.dbcn),
  ]
  for (name, eid) in extensions {
    print("hello: extension \(name) \(SBI.isPresent(eid) ? "present" : "absent")")
  }
  let r = SBI.call(unknownExtension, 0)
  let verdict = r.error == SBI.errNotSupported ? "ok" : "WRONG, expected -2"
  print("hello: unknown extension \(hex(unknownExtension, digits: 8)): error \(r.error) (\(SBI.errorName(r.error))), \(verdict)")
}

/// Reads one line from the console (DBCN console_read, or the legacy getchar without
/// DBCN) and echoes it. The line ends at "\n" or "\r", at Ctrl-D (end of input), at a
/// read error, or after 200 bytes; there is no timeout (on the board, time jumps ahead
/// while every hart sleeps, so a timeout would end before anyone could type). While no
/// input waits it polls every 10 ms and sleeps in wfi in between.
func echoOneLine() {
  print("hello: type a line")
  var line: [UInt8] = []
  var buffer: (UInt64, UInt64) = (0, 0)  // 16 bytes on the stack
  var ending = "200 bytes"
  reading: while line.count < 200 {
    let result = withUnsafeMutableBytes(of: &buffer) { Console.read(into: $0) }
    if result.error != SBI.success {
      ending = "read error \(result.error) (\(SBI.errorName(result.error)))"
      break
    }
    if result.count == 0 {
      Timer.sleep(counts: Timer.counts(milliseconds: 10))
      continue
    }
    let bytes = withUnsafeBytes(of: &buffer) { Array($0.prefix(result.count)) }
    for byte in bytes {
      if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
        ending = "newline"
        break reading
      }
      if byte == 0x04 {
        ending = "end of input"
        break reading
      }
      if line.count < 200 { line.append(byte) }
    }
  }
  print("hello: echo \"\(String(decoding: line, as: UTF8.self))\" (\(line.count) bytes, \(ending))")
}
