import GuestShim

/// Dom0, the control domain (DESIGN §3–§4): the first boot module, booted with `direct` so
/// that the firmware maps its RAM 1:1 and gives it the virtio disks and their interrupts
/// (through a virtual PLIC). It reads the guest archives from its disks, takes over the
/// guests' consoles (they go to rings it reads), and runs the shell.
@_cdecl("guest_main")
func guestMain(_ hart: UInt64, _ dtb: UInt64) {
  let tree = DeviceTree(address: dtb)
  if let timebase = tree?.timebaseFrequency, timebase != 0 { Timer.timebaseFrequency = timebase }
  Out.line("Vireo Dom0: the control domain (type help)")
  let library = Library()
  Disks.attach(to: library, tree: tree)
  for p in library.problems { Out.line("dom0: " + p) }
  for a in library.archives {
    Out.line("dom0: " + a.deviceName + ": archive with " + String(a.tar.members.count) + " files"
             + (a.bytes == nil ? " (larger than Dom0 holds: files are read when needed)" : ""))
  }
  let control = SBI.isPresent(SBI.vireo)
  if control {
    _ = Control.call(SBI.Control.consoleClaim)
    // The guests' disk backend: the firmware's software interrupt says a request waits.
    Backend.start(library: library)
  } else {
    Out.line("dom0: no Vireo control interface: this is not Vireo's Dom0 (guests cannot be built)")
  }
  Shell(library: library, cyclesPerSecond: measureCyclesPerSecond()).run()
}

/// The hart's cycle rate, from `cycle` against `time` over 2 ms (for `list`'s Time(s)).
func measureCyclesPerSecond() -> UInt64 {
  let t0 = Timer.now, c0 = csr_read_cycle()
  let span = Timer.counts(milliseconds: 2)
  while Timer.now &- t0 < span {}
  let dt = Timer.now &- t0, dc = csr_read_cycle() &- c0
  return dt == 0 ? 1 : dc &* Timer.timebaseFrequency / dt
}
