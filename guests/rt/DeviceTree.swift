/// What a guest reads from the device tree its firmware passes in a1 (OpenSBI hands on
/// the board's DTB; the Vireo hypervisor generates one per guest: memory, cpus with ISA
/// string, /chosen with stdout-path and bootargs). Parsing is the shared reader of
/// Sources/FirmwareKit/FDT.swift, compiled into each guest's module.
struct DeviceTree {
  let fdt: FDT

  /// The blob at physical address `address` (satp = 0, so it is also the virtual address),
  /// or nil when there is none or it does not validate.
  init?(address: UInt64) {
    guard address != 0, let start = UnsafeRawPointer(bitPattern: UInt(address)),
      let size = FDT.totalSize(at: start)
    else { return nil }
    do {
      fdt = try FDT(UnsafeRawBufferPointer(start: start, count: size))
    } catch {
      print("devicetree: \(error.reason)")
      return nil
    }
  }

  /// (base, size) of the first "memory" node's first "reg" range.
  var memory: (base: UInt64, size: UInt64)? {
    var found: (base: UInt64, size: UInt64)? = nil
    fdt.forEachNode { node in
      guard found == nil, let type = node.property("device_type")?.string,
        sameText(type, "memory"), let reg = node.reg(0)
      else { return }
      found = (reg.address, reg.size)
    }
    return found
  }

  /// The nodes under /cpus whose device_type is "cpu", in order.
  func forEachCPU(_ body: (FDTNode) -> Void) {
    guard let cpus = fdt.node(at: "/cpus") else { return }
    cpus.forEachChild { node in
      if let type = node.property("device_type")?.string, sameText(type, "cpu") { body(node) }
    }
  }

  var cpuCount: Int {
    var count = 0
    forEachCPU { _ in count += 1 }
    return count
  }

  /// "riscv,isa" of the cpu whose "reg" (hart id) is `hart`.
  func isa(ofHart hart: UInt64) -> String? {
    var isa: String? = nil
    forEachCPU { node in
      if isa == nil, let id = node.property("reg")?.u64, id == hart {
        isa = node.property("riscv,isa")?.string
      }
    }
    return isa
  }

  /// /cpus "timebase-frequency" (a cpu node may carry it instead).
  var timebaseFrequency: UInt64? {
    if let value = fdt.node(at: "/cpus")?.property("timebase-frequency")?.u64 { return value }
    var value: UInt64? = nil
    forEachCPU { node in
      if value == nil { value = node.property("timebase-frequency")?.u64 }
    }
    return value
  }

  /// /chosen "bootargs" (the kernel command line).
  var bootargs: String? { fdt.node(at: "/chosen")?.property("bootargs")?.string }

  /// /chosen "stdout-path".
  var stdoutPath: String? { fdt.node(at: "/chosen")?.property("stdout-path")?.string }
}
