import GuestShim

/// The Dom0 shell (DESIGN §4): `xl`'s verbs on the console. Lines are edited with
/// Dom0Kit's `LineEditor`, split with `ShellWords`; guests come from the ustar archives on
/// Dom0's disks (`Library`), and are built through the control interface (`Control`).
final class Shell {
  var editor = LineEditor()
  let library: Library
  /// Guest cycles per second of `time`, measured at boot (for `list`'s Time(s)).
  let cyclesPerSecond: UInt64
  /// The configuration each domain was built from, for xl's on_reboot=restart.
  var built: [(id: UInt64, config: GuestConfig)] = []
  /// The last state seen of each domain, for one-line notices when it changes.
  var lastState: [(id: UInt64, state: UInt64)] = []
  var running = true
  static let prompt = "dom0> "
  /// Memory of a guest whose configuration does not say (xl's default is 128 MiB; our
  /// sample guests need far less).
  static let defaultMemoryMiB: UInt64 = 32

  static func text(_ s: StaticString) -> String {
    s.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
  }

  init(library: Library, cyclesPerSecond: UInt64) {
    self.library = library
    self.cyclesPerSecond = max(cyclesPerSecond, 1)
  }

  /// Reads and runs commands until `halt`.
  func run() -> Never {
    Out.put(Shell.prompt)
    Out.flush()
    var input = [UInt8](repeating: 0, count: 64)
    var watched: UInt64 = 0
    while true {
      let n = input.withUnsafeMutableBytes { Console.read(into: $0).count }
      if n == 0 {
        // Guests' disk requests first; while more wait, no sleep (the console is read
        // again between batches, so the shell still answers).
        let busy = Backend.serve()
        if !busy || Timer.now &- watched >= Timer.counts(milliseconds: 10) {
          watchDomains()
          watched = Timer.now
        }
        if !busy { idle(milliseconds: 10) }
        continue
      }
      var echo: [UInt8] = []
      for i in 0..<n {
        guard let event = editor.feed(input[i], output: &echo) else { continue }
        Out.bytes(echo)
        echo.removeAll()
        switch event {
        case .line(let line):
          execute(line)
        case .cancelled:
          break
        }
        Out.put(Shell.prompt)
      }
      Out.bytes(echo)
    }
  }

  /// Sleeps up to `milliseconds`, or until a guest notifies a disk queue (the software
  /// interrupt). Interrupts are closed from the check of `Backend.pending` to the `wfi`, so
  /// a notification in between stays pending in sip and ends the sleep; it is taken when
  /// they open again.
  func idle(milliseconds: UInt64) {
    let wasEnabled = csr_read_sstatus() & Mstatus.SIE != 0
    Trap.disableInterrupts()
    if Backend.pending.value == 0 {
      Timer.sleep(counts: Timer.counts(milliseconds: milliseconds), wakeOn: Interrupt.SSIP)
    }
    if wasEnabled { Trap.enableInterrupts() }
  }

  // MARK: Commands

  func execute(_ line: String) {
    let words: [String]
    do throws(ShellWordsError) {
      words = try ShellWords.split(line)
    } catch {
      Out.line("error: " + error.message)
      return
    }
    guard let verb = words.first else { return }
    let args = Array(words.dropFirst())
    switch verb {
    case "help": help()
    case "ls": ls()
    case "list": list()
    case "create": create(args)
    case "pause", "unpause", "destroy", "reboot": lifecycle(verb, args)
    case "console": console(args)
    case "info": info(args)
    case "stats": stats()
    case "dmesg": dmesg()
    case "halt":
      Out.line("dom0: halting the board")
      Out.flush()
      SBI.shutdown()
    default:
      Out.line("error: unknown command '" + verb + "' (try help)")
    }
  }

  func help() {
    Out.line("commands (as xl's):")
    Out.line("  ls                          the guest kernels and configs on Dom0's disks")
    Out.line("  list                        the domains: Name ID Mem VCPUs State Time(s)")
    Out.line("  create CFG|KERNEL [k=v...]  build and start a guest (keys: name kernel ramdisk extra memory vcpus weight disk)")
    Out.line("  pause ID / unpause ID       stop and resume a guest's vCPUs")
    Out.line("  destroy ID                  end a guest and free its memory")
    Out.line("  reboot ID                   restart a guest")
    Out.line("  console ID                  attach to a guest's console (Ctrl-] returns here)")
    Out.line("  info ID                     state, pc, cycles, VM exits by cause")
    Out.line("  stats                       cycles and exits of every domain")
    Out.line("  dmesg                       the hypervisor's messages")
    Out.line("  halt                        power the board off")
    Out.line("an ID may be a domain's name")
  }

  func ls() {
    if library.archives.isEmpty {
      Out.line("no archive: Dom0 has no disk with a ustar archive")
      return
    }
    for a in library.archives {
      Out.line(a.deviceName + ": " + String(a.tar.members.count) + " files")
      for m in a.tar.members {
        let kind = m.type == .directory ? "d" : m.type.isFile ? "-" : String(decoding: [m.type.letter], as: UTF8.self)
        Out.line("  " + kind + " " + TextPadding.right(String(m.size), width: 9) + "  " + m.name)
      }
    }
  }

  func records() -> [Control.Record] { Control.list() }

  func list() {
    var entries: [DomainListEntry] = []
    for r in records() {
      // cycles → ns without 128-bit division (bare metal has no __udivti3).
      let whole = r.cycles / cyclesPerSecond, part = r.cycles % cyclesPerSecond
      let (fraction, overflow) = part.multipliedReportingOverflow(by: 1_000_000_000)
      let ns = whole &* 1_000_000_000 &+ (overflow ? (part / (cyclesPerSecond / 1_000_000_000 + 1)) : fraction / cyclesPerSecond)
      entries.append(DomainListEntry(name: r.name, id: UInt32(truncatingIfNeeded: r.id), memoryMiB: r.memory >> 20,
                                     vcpus: Int(r.vcpus), state: Shell.state(r.state).flags, cpuTimeNanoseconds: ns))
    }
    Out.put(DomainList.text(entries))
  }

  static func state(_ word: UInt64) -> DomainState {
    switch word {
    case SBI.Control.stateRunning: return .running
    case SBI.Control.stateBlocked: return .blocked
    case SBI.Control.statePaused: return .paused
    case SBI.Control.stateShutdown, SBI.Control.stateRebooting: return .shutdown
    default: return .crashed
    }
  }

  static func stateName(_ word: UInt64) -> String {
    switch word {
    case SBI.Control.stateRunning: return "running"
    case SBI.Control.stateBlocked: return "blocked"
    case SBI.Control.statePaused: return "paused"
    case SBI.Control.stateShutdown: return "shut down"
    case SBI.Control.stateRebooting: return "rebooting"
    default: return "crashed"
    }
  }

  /// The domain a word names: an id, or a name.
  func resolve(_ word: String) -> Control.Record? {
    let all = records()
    if let id = UInt64(word), let r = all.first(where: { $0.id == id }) { return r }
    return all.first { $0.name == word }
  }

  func create(_ args: [String]) {
    guard let what = args.first else {
      Out.line("usage: create CFG|KERNEL [key=value...]")
      return
    }
    var config: GuestConfig
    if what.hasSuffix(".cfg") {
      let file: Library.File
      switch library.read(what) {
      case .success(let f): file = f
      case .failure(let missing):
        Out.line("error: " + Library.message(missing, what))
        return
      }
      do throws(GuestConfigError) {
        // The file (a buffer of its own when read from disk) lives until parsed.
        config = try withExtendedLifetime(file) { () throws(GuestConfigError) in try GuestConfig.parse(file.bytes) }
      } catch {
        Out.line("error: " + what + ": " + error.message)
        return
      }
    } else {
      config = GuestConfig(kernel: what)
    }
    do throws(GuestConfigError) {
      try config.apply(overrides: Array(args.dropFirst()))
      config = try config.validated()
    } catch {
      Out.line("error: " + error.message)
      return
    }
    _ = build(config)
  }

  /// Builds and starts a domain from a configuration. Everything that can be checked
  /// first is: the kernel (a RISC-V Linux `Image`, else an ELF executable) and where it
  /// goes, the ramdisk and where it goes, the disks. Then create, populate the kernel's
  /// pieces and the ramdisk, attach the disks (in order: disk n is the guest's slot n),
  /// start at the entry with the initrd's place (a2, a3). A failure after create destroys
  /// the half-built domain. Returns the new id.
  func build(_ config: GuestConfig) -> UInt64? {
    let kernelName = config.kernel ?? ""
    let kernel: Library.File
    switch library.read(kernelName) {
    case .success(let f): kernel = f
    case .failure(let missing):
      Out.line("error: " + Library.message(missing, "kernel " + kernelName))
      return nil
    }
    // `bytes` and the pieces below are views into it: it lives until the end.
    defer { withExtendedLifetime(kernel) {} }
    let name = config.name ?? kernelName
    let memoryMiB = config.memoryMiB ?? Shell.defaultMemoryMiB
    let ramBase = GuestLayout.ramBase, ramSize = memoryMiB << 20, reserve = GuestLayout.dtbReserve
    let bytes = kernel.bytes
    // The kernel: its pieces (guest-physical address, bytes), its entry, where it ends.
    var pieces: [(gpa: UInt64, bytes: UnsafeRawBufferPointer)] = []
    let entry: UInt64
    var image: LinuxImage? = nil
    var kernelEnd: UInt64 = 0
    if LinuxImage.looksLikeImage(bytes) {
      do throws(LinuxImage.Failure) {
        let header = try LinuxImage(bytes)
        entry = try header.loadAddress(ramBase: ramBase, ramSize: ramSize, reserve: reserve)
        image = header
      } catch {
        Out.line("error: " + kernelName + ": " + error.message)
        return nil
      }
      pieces.append((entry, bytes))
    } else {
      let elf: ELFImage
      do throws(ELFError) {
        elf = try ELFImage(bytes)
      } catch {
        if error == .notELF {
          Out.line("error: " + kernelName + " is neither a RISC-V Linux Image nor an ELF executable")
        } else {
          Out.line("error: " + kernelName + " is not a loadable ELF: " + Shell.text(error.reason))
        }
        return nil
      }
      for s in elf.segments where s.fileSize > 0 {
        pieces.append((s.physicalAddress, UnsafeRawBufferPointer(rebasing: bytes[Int(s.fileOffset)..<Int(s.fileOffset + s.fileSize)])))
      }
      entry = elf.entry
      kernelEnd = elf.physicalRange.end
    }
    // The ramdisk, above the kernel.
    var ramdisk: Library.File? = nil
    defer { withExtendedLifetime(ramdisk) {} }
    var initrd: UInt64 = 0
    if let ramdiskName = config.ramdisk {
      switch library.read(ramdiskName) {
      case .success(let f): ramdisk = f
      case .failure(let missing):
        Out.line("error: " + Library.message(missing, "ramdisk " + ramdiskName))
        return nil
      }
      let size = UInt64(ramdisk!.bytes.count)
      guard size > 0 else {
        Out.line("error: ramdisk " + ramdiskName + " is empty")
        return nil
      }
      let place = image.map { $0.initrdAddress(loadAddress: entry, size: size, ramBase: ramBase, ramSize: ramSize, reserve: reserve) }
        ?? GuestLayout.initrdAddress(kernelEnd: kernelEnd, size: size, ramBase: ramBase, ramSize: ramSize, reserve: reserve)
      guard let place else {
        Out.line("error: ramdisk " + ramdiskName + " (" + Shell.size(size) + ") does not fit " + name + "'s memory ("
                 + String(memoryMiB) + " MiB) above the kernel")
        return nil
      }
      initrd = place
    }
    // The disks.
    let disks: [BackendDisk]
    switch Backend.table.plan(config.disks, domain: 0, locate: { self.library.lookup($0) }) {
    case .success(let planned): disks = planned
    case .failure(let problem):
      Out.line("error: " + problem.message)
      return nil
    }

    let id: UInt64
    switch Control.create(name: name, memory: ramSize, vcpus: UInt64(config.vcpus),
                          weight: UInt64(config.weight), bootargs: config.commandLine) {
    case .success(let created): id = created
    case .failure(let f):
      Out.line("error: " + f.message)
      return nil
    }
    func abandon(_ message: String) -> UInt64? {
      _ = Control.call(SBI.Control.destroy, id)
      Backend.forget(id)
      Out.line("error: " + message)
      return nil
    }
    let doesNotFit = kernelName + " does not fit " + name + "'s memory (" + String(memoryMiB) + " MiB at 0x80000000)"
    for p in pieces {
      guard Control.populate(id, gpa: p.gpa, from: p.bytes) else { return abandon(doesNotFit) }
    }
    if let ramdisk, !Control.populate(id, gpa: initrd, from: ramdisk.bytes) {
      return abandon("ramdisk " + (config.ramdisk ?? "") + " does not fit " + name + "'s memory")
    }
    if let problem = Backend.attach(disks, to: id) { return abandon(problem) }
    let started = Control.call(SBI.Control.start, id, entry, initrd, UInt64(ramdisk?.bytes.count ?? 0))
    guard started.succeeded else {
      return abandon(started.error == SBI.errInvalidAddress ? doesNotFit
                     : "the hypervisor refused to start " + name + ": " + SBI.errorName(started.error))
    }
    built.removeAll { $0.id == id }
    built.append((id, config))
    Out.line("dom0: created domain " + String(id) + " (" + name + ")")
    return id
  }

  /// "512 KiB", "3 MiB" (rounded up).
  static func size(_ bytes: UInt64) -> String {
    bytes < 1 << 20 ? String((bytes + 1023) >> 10) + " KiB" : String((bytes + (1 << 20) - 1) >> 20) + " MiB"
  }

  func lifecycle(_ verb: String, _ args: [String]) {
    guard args.count == 1 else {
      Out.line("usage: " + verb + " ID")
      return
    }
    guard let r = resolve(args[0]) else {
      Out.line("error: no domain '" + args[0] + "' (see list)")
      return
    }
    guard r.id != 0 else {
      Out.line("error: Dom0 cannot " + verb + " itself (halt powers the board off)")
      return
    }
    let fid: UInt64
    switch verb {
    case "pause": fid = SBI.Control.pause
    case "unpause": fid = SBI.Control.unpause
    case "destroy": fid = SBI.Control.destroy
    default: fid = SBI.Control.reboot
    }
    let result = Control.call(fid, r.id)
    if !result.succeeded {
      Out.line("error: " + verb + " " + r.name + ": the domain is " + Shell.stateName(r.state))
      return
    }
    if verb == "destroy" {
      built.removeAll { $0.id == r.id }
      lastState.removeAll { $0.id == r.id }
      Backend.forget(r.id)
    }
  }

  func info(_ args: [String]) {
    guard args.count == 1, let r = resolve(args[0]), let i = Control.info(r.id) else {
      Out.line(args.count == 1 ? "error: no domain '" + args[0] + "' (see list)" : "usage: info ID")
      return
    }
    Out.line("domain " + String(i.id) + " (" + i.name + "): " + Shell.stateName(i.state)
             + (i.reason.isEmpty ? "" : " (" + i.reason + ")"))
    Out.line("  memory " + String(i.memory >> 20) + " MiB, " + String(i.vcpus) + " vCPUs, weight " + String(i.weight))
    Out.line("  pc " + hex(i.pc) + ", " + String(i.cycles) + " guest cycles")
    Out.line("  VM exits " + String(i.exits) + ", faults given back " + String(i.reflected))
    for (code, n) in i.exitsByCause.enumerated() where n != 0 {
      let name = code >= 32 ? interruptName(UInt64(code - 32)) : Cause(rawValue: UInt64(code))?.name ?? "exception " + String(code)
      Out.line("    " + TextPadding.left(name, width: 34) + TextPadding.right(String(n), width: 10))
    }
  }

  func stats() {
    Out.line(TextPadding.left("Name", width: 20) + TextPadding.right("ID", width: 5) + TextPadding.right("cycles", width: 16)
             + TextPadding.right("VM exits", width: 12) + "  state")
    for r in records() {
      let exits = Control.info(r.id)?.exits ?? 0
      Out.line(TextPadding.left(r.name, width: 20) + TextPadding.right(String(r.id), width: 5)
               + TextPadding.right(String(r.cycles), width: 16) + TextPadding.right(String(exits), width: 12)
               + "  " + Shell.stateName(r.state))
    }
    if Backend.served > 0 || !Backend.table.isEmpty {
      Out.line("guest disks: " + String(Backend.table.entries.count) + " served, " + String(Backend.served)
               + " requests completed (" + String(Backend.failed) + " with an error): " + String(Backend.reads) + " reads, "
               + String(Backend.writes) + " writes, " + String(Backend.flushes) + " flushes")
    }
  }

  /// `console ID`: the backlog, then live output; keystrokes go to the guest; Ctrl-]
  /// comes back to Dom0.
  func console(_ args: [String]) {
    guard args.count == 1, let r = resolve(args[0]), r.id != 0 else {
      Out.line(args.count == 1 ? "error: no guest '" + args[0] + "' (see list)" : "usage: console ID")
      return
    }
    Out.line("dom0: attached to " + r.name + " (Ctrl-] returns to Dom0)")
    var buffer = [UInt8](repeating: 0, count: 1024)
    var key = [UInt8](repeating: 0, count: 64)
    while true {
      let n = buffer.withUnsafeMutableBytes { Control.consoleRead(r.id, into: $0) }
      if n > 0 {
        Out.bytes(Array(buffer[0..<n]))
      }
      let k = key.withUnsafeMutableBytes { Console.read(into: $0).count }
      if k > 0 {
        if let stop = key[0..<k].firstIndex(of: 0x1D) {
          if stop > 0 { _ = Control.consoleWrite(r.id, Array(key[0..<stop])) }
          Out.line("")
          Out.line("dom0: detached from " + r.name)
          return
        }
        _ = Control.consoleWrite(r.id, Array(key[0..<k]))
      }
      // The guest's disks (and the others') are served while attached.
      let busy = Backend.serve()
      if n == 0 && k == 0 && !busy {
        if !records().contains(where: { $0.id == r.id }) {
          Out.line("dom0: " + r.name + " is gone")
          return
        }
        idle(milliseconds: 5)
      }
    }
  }

  /// The firmware's messages (xl dmesg): domains built, started, stopped, and why.
  func dmesg() {
    var buffer = [UInt8](repeating: 0, count: 1024)
    var any = false
    while true {
      let n = buffer.withUnsafeMutableBytes { Control.consoleRead(SBI.Control.hypervisorLog, into: $0) }
      if n == 0 { break }
      any = true
      Out.put(String(decoding: buffer[0..<n], as: UTF8.self))
    }
    if !any { Out.line("(no new messages)") }
  }

  /// What xl.cfg's on_poweroff / on_crash say for a domain Dom0 built: "destroy" (xl's
  /// default) or "preserve" (keep it, e.g. to look at it with info).
  func action(_ key: String, of id: UInt64) -> String {
    guard let config = built.first(where: { $0.id == id })?.config else { return "preserve" }
    for s in config.settings.reversed() where s.key == key {
      if case .string(let v) = s.value { return v }
    }
    return "destroy"
  }

  // MARK: Watching

  /// One-line notices when a guest crashes or shuts down; a guest that asked to reboot is
  /// built again from its configuration (xl's on_reboot=restart).
  func watchDomains() {
    let all = records()
    if !Backend.table.isEmpty, !all.isEmpty { Backend.table.keep(domains: all.map { $0.id }) }
    for r in all where r.id != 0 {
      let before = lastState.first { $0.id == r.id }?.state
      if before != r.state {
        lastState.removeAll { $0.id == r.id }
        lastState.append((r.id, r.state))
        switch r.state {
        case SBI.Control.stateCrashed:
          let why = Control.info(r.id)?.reason ?? ""
          notice("domain " + String(r.id) + " (" + r.name + ") crashed" + (why.isEmpty ? "" : ": " + why))
          if action("on_crash", of: r.id) == "destroy" { forget(r.id) }
        case SBI.Control.stateShutdown:
          notice("domain " + String(r.id) + " (" + r.name + ") shut down")
          if action("on_poweroff", of: r.id) == "destroy" { forget(r.id) }
        case SBI.Control.stateRebooting:
          notice("domain " + String(r.id) + " (" + r.name + ") reboots", redraw: false)
          if let config = built.first(where: { $0.id == r.id })?.config {
            _ = Control.call(SBI.Control.destroy, r.id)
            built.removeAll { $0.id == r.id }
            lastState.removeAll { $0.id == r.id }
            Backend.forget(r.id)
            _ = build(config)
          }
          redrawPrompt()
        default:
          break
        }
      }
    }
  }

  /// Destroys a domain that ended (xl's on_poweroff/on_crash = destroy).
  func forget(_ id: UInt64) {
    _ = Control.call(SBI.Control.destroy, id)
    Backend.forget(id)
    built.removeAll { $0.id == id }
    lastState.removeAll { $0.id == id }
  }

  /// A notice on a line of its own, then the prompt and what the user was typing.
  func notice(_ text: String, redraw: Bool = true) {
    Out.put("\r\u{1B}[K")
    Out.line("dom0: " + text)
    if redraw { redrawPrompt() }
  }

  /// The prompt and what the user was typing, after other output.
  func redrawPrompt() {
    var bytes: [UInt8] = Array(Shell.prompt.utf8)
    editor.render(into: &bytes)
    Out.bytes(bytes)
  }
}
