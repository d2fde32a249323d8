/// Sv39 for the guests that turn paging on (mmubench, pager, smp): PTEs and virtual page
/// numbers (Priv. §12.3.1 PTE bits, §12.4 Sv39), the page sizes, a word at an address the
/// kernel maps 1:1, and where RAM and the DTB lie, read before paging goes on.

let pageSize: UInt64 = 4096
let megapage: UInt64 = 2 << 20

/// `value` rounded down / up to a multiple of `alignment` (a power of 2).
func alignDown(_ value: UInt64, _ alignment: UInt64) -> UInt64 { value & ~(alignment &- 1) }
func alignUp(_ value: UInt64, _ alignment: UInt64) -> UInt64 { (value &+ alignment &- 1) & ~(alignment &- 1) }

/// The doubleword at `address` (translation off, or mapped 1:1).
func word(_ address: UInt64) -> UnsafeMutablePointer<UInt64> {
  UnsafeMutablePointer<UInt64>(bitPattern: UInt(address))!
}

/// A PTE pointing at physical address `pa` with `flags`.
func pte(_ pa: UInt64, _ flags: UInt64) -> UInt64 { ((pa >> 12) << PTE.ppnShift) | flags }

/// A non-leaf PTE (V only; A, D and U must be zero, §12.3.1).
func tablePTE(_ table: UInt64) -> UInt64 { pte(table, PTE.V) }

/// VPN[`level`] of `va`.
func vpn(_ va: UInt64, level: UInt64) -> UInt64 { (va >> (12 &+ 9 &* level)) & 0x1FF }

/// RAM and the DTB's extent, which a kernel must read before it turns paging on (the DTB
/// is not mapped after): RAM is the first memory node's range (32 MiB at 0x8000_0000
/// without a valid tree or node), the DTB runs from `dtb` for its totalsize (nothing
/// without a valid tree). Both members are inlined: each runs once, at boot, and inlined
/// they compile to what each guest had written out itself.
struct BootMemory {
  var ramBase: UInt64 = 0x8000_0000
  var ramEnd: UInt64 = 0x8000_0000 &+ (32 << 20)
  let dtb: UInt64
  var dtbEnd: UInt64

  @inline(__always)
  init(tree: DeviceTree?, dtb: UInt64) {
    self.dtb = dtb
    dtbEnd = dtb
    if let tree {
      if let memory = tree.memory {
        ramBase = memory.base
        ramEnd = memory.base &+ memory.size
      }
      dtbEnd = dtb &+ UInt64(tree.fdt.totalSize)
    }
  }

  /// Stops the guest with "`name`: the work area ... does not fit ..." unless
  /// [`base`, `end`) lies in RAM and clear of the DTB.
  @inline(__always)
  func requireWorkArea(_ base: UInt64, _ end: UInt64, _ name: String) {
    guard base >= ramBase, end <= ramEnd, dtbEnd <= base || dtb >= end else {
      print("\(name): the work area \(hex(base))-\(hex(end)) does not fit in RAM \(hex(ramBase))-\(hex(ramEnd)) beside the DTB at \(hex(dtb))")
      SBI.fail()
    }
  }
}
