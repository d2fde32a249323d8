import GuestShim

/// The first sector of the write test, and how many sectors it covers.
let patternSector: UInt64 = 8
let patternCount = 8

/// The disk guest: drives the first virtio-mmio block device of its DTB with the runtime's
/// PLIC and virtio-blk drivers (guests/rt/PLIC.swift, VirtioBlock.swift). It reports the
/// PLIC context, the device, its capacity, ID and read-only flag, reads sector 0, checks
/// that a read past the end is refused, and with the bootargs word `write` clears sectors
/// 8..15, writes a pattern there, flushes, reads it back and verifies it. Every request
/// waits for its completion interrupt (`poll`: polls instead). It prints how many requests
/// and interrupts it counted and shuts down; any failure ends with SRST "system failure".
@_cdecl("guest_main")
func guestMain(_ hart: UInt64, _ dtb: UInt64) {
  print("disk: Vireo guest disk on hart \(hart)")
  guard let tree = DeviceTree(address: dtb) else {
    print("disk: no valid device tree at a1")
    SBI.fail()
  }
  if let timebase = tree.timebaseFrequency, timebase != 0 { Timer.timebaseFrequency = timebase }
  let bootargs = tree.bootargs ?? ""
  let poll = hasWord(bootargs, "poll")

  let plic = PLICDriver(deviceTree: tree, hart: hart)
  if let plic {
    let origin = plic.contextFromDeviceTree ? "from interrupts-extended" : "2 * hart + 1"
    print("disk: PLIC at \(hex(plic.base)), S-mode context \(plic.context) (\(origin)), sources 1-\(plic.sourceCount)")
  } else {
    print("disk: no PLIC in the device tree, polling")
  }

  let disk: VirtioBlockDevice
  do {
    disk = try VirtioBlockDevice.first(in: tree, plic: plic, interrupts: !poll)
  } catch {
    print("disk: \(error.description)")
    SBI.fail()
  }
  let irq = disk.slot.interrupt.map { "PLIC source \($0)" } ?? "no interrupt"
  let mode = disk.usesInterrupts ? "interrupts" : "polling"
  print("disk: virtio-blk at \(hex(disk.slot.base)), \(irq), vendor \(hex(UInt64(disk.vendorID))), queue \(disk.queueSize), \(mode)")
  print("disk: features offered \(hex(disk.offeredFeatures)), accepted \(hex(disk.features))")
  print("disk: capacity \(disk.capacity) sectors (\(disk.capacity &* 512) bytes)")
  do {
    let id = try disk.getID()
    print("disk: id \"\(id)\"")
  } catch {
    print("disk: id unavailable: \(error.description)")
  }
  print("disk: read-only \(disk.isReadOnly ? "yes" : "no"), flush \(disk.supportsFlush ? "yes" : "no")")

  let size = patternCount * VirtioBlockDevice.sectorSize
  let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
  let check = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
  buffer.initializeMemory(as: UInt8.self, repeating: 0)
  check.initializeMemory(as: UInt8.self, repeating: 0)

  attempt("read sector 0") { () throws(VirtioBlockError) in try disk.read(sector: 0, count: 1, into: buffer) }
  print("disk: sector 0: \(hexBytes(buffer, count: 16))")

  do {
    try disk.read(sector: disk.capacity, count: 1, into: buffer)
    print("disk: read past the end: NOT REFUSED")
    SBI.fail()
  } catch {
    print("disk: read past the end refused: \(error.description)")
  }

  if hasWord(bootargs, "write") {
    if disk.isReadOnly {
      do {
        try disk.write(sector: patternSector, count: patternCount, from: UnsafeRawBufferPointer(buffer))
        print("disk: write to a read-only device: NOT REFUSED")
        SBI.fail()
      } catch {
        print("disk: not writing sectors \(patternRange): \(error.description)")
      }
    } else {
      writeTest(disk, buffer, check)
    }
  }

  print("disk: \(disk.requestsCompleted) requests, \(disk.interruptsTaken) interrupts")
  disk.close()
  print("disk: done")
  SBI.shutdown()
}

var patternRange: String { "\(patternSector)..\(patternSector &+ UInt64(patternCount) &- 1)" }

/// Clears the pattern sectors and reads them back as zeros (so the check below cannot pass
/// on what an earlier run left there), writes the pattern, flushes, reads it back and
/// compares.
func writeTest(_ disk: VirtioBlockDevice, _ buffer: UnsafeMutableRawBufferPointer, _ check: UnsafeMutableRawBufferPointer) {
  buffer.initializeMemory(as: UInt8.self, repeating: 0)
  check.initializeMemory(as: UInt8.self, repeating: 0xEE)
  attempt("clear sectors \(patternRange)") { () throws(VirtioBlockError) in
    try disk.write(sector: patternSector, count: patternCount, from: UnsafeRawBufferPointer(buffer))
  }
  attempt("read sectors \(patternRange)") { () throws(VirtioBlockError) in
    try disk.read(sector: patternSector, count: patternCount, into: check)
  }
  compare(check, buffer, what: "cleared sectors")
  print("disk: cleared sectors \(patternRange)")

  fillPattern(buffer)
  check.initializeMemory(as: UInt8.self, repeating: 0)
  attempt("write sectors \(patternRange)") { () throws(VirtioBlockError) in
    try disk.write(sector: patternSector, count: patternCount, from: UnsafeRawBufferPointer(buffer))
  }
  print("disk: wrote pattern to sectors \(patternRange)")
  attempt("flush") { () throws(VirtioBlockError) in try disk.flush() }
  print("disk: flush ok")
  attempt("read back sectors \(patternRange)") { () throws(VirtioBlockError) in
    try disk.read(sector: patternSector, count: patternCount, into: check)
  }
  compare(check, buffer, what: "pattern")
  print("disk: verify ok")
}

/// Sector s of the pattern starts with "VIREO disk pattern, sector NN\n" and continues
/// with the bytes (s · 31 + i) mod 256.
func fillPattern(_ buffer: UnsafeMutableRawBufferPointer) {
  var index = 0
  for n in 0..<patternCount {
    let sector = patternSector &+ UInt64(n)
    let start = n &* VirtioBlockDevice.sectorSize
    for i in 0..<VirtioBlockDevice.sectorSize {
      buffer[start &+ i] = UInt8(truncatingIfNeeded: sector &* 31 &+ UInt64(i))
    }
    let tens = sector / 10
    let text = "VIREO disk pattern, sector \(tens)\(sector % 10)\n"
    index = start
    for byte in text.utf8 {
      buffer[index] = byte
      index &+= 1
    }
  }
}

/// Stops with SRST "system failure" at the first byte where `got` differs from `want`.
func compare(_ got: UnsafeMutableRawBufferPointer, _ want: UnsafeMutableRawBufferPointer, what: String) {
  for i in 0..<want.count where got[i] != want[i] {
    print("disk: \(what) differ at byte \(i): read \(hex(UInt64(got[i]), digits: 2)), expected \(hex(UInt64(want[i]), digits: 2))")
    SBI.fail()
  }
}

/// Runs one request; on an error prints it and stops with SRST "system failure".
func attempt(_ what: String, _ request: () throws(VirtioBlockError) -> Void) {
  do {
    try request()
  } catch {
    print("disk: \(what) failed: \(error.description)")
    SBI.fail()
  }
}

/// The first `count` bytes as two-digit hex, then as text ('.' for anything not printable).
func hexBytes(_ buffer: UnsafeMutableRawBufferPointer, count: Int) -> String {
  let digits: [UInt8] = Array("0123456789abcdef".utf8)
  var line: [UInt8] = []
  var text: [UInt8] = []
  for i in 0..<min(count, buffer.count) {
    let byte = buffer[i]
    if i > 0 { line.append(0x20) }
    line.append(digits[Int(byte >> 4)])
    line.append(digits[Int(byte & 15)])
    text.append(byte >= 0x20 && byte < 0x7F ? byte : 0x2E)
  }
  return String(decoding: line, as: UTF8.self) + "  |" + String(decoding: text, as: UTF8.self) + "|"
}
