import GuestShim
import _Volatile

/// The platform-level interrupt controller as an S-mode kernel drives it (RISC-V PLIC
/// Specification 1.0.0, "Memory Map"; the SiFive layout QEMU `virt`, the board and Vireo's
/// virtual PLIC share): a 32-bit priority per source at 4·source, pending bits at 0x1000,
/// one enable bit per source and context at 0x2000 + 0x80·context, and per context a
/// threshold at 0x20_0000 + 0x1000·context with claim/complete at +4.
///
/// **Context.** A context is one hart in one privilege mode. The DTB says which: entry i of
/// the PLIC's "interrupts-extended" is context i, a (cpu interrupt controller, cause) pair,
/// where cause 9 (supervisor external interrupt) marks an S-mode context. `init(deviceTree:
/// hart:)` looks the current hart's S context up there and falls back to the QEMU `virt`
/// convention, context 2·hart + 1 (2·hart is the hart's M-mode context), which the board
/// and the Vireo firmware's virtual PLIC (context 2i + 1 = vCPU i's S-mode context) follow.
///
/// **Interrupts.** `attach(source:priority:handler:)` enables a source for this context,
/// records its handler and sets sie.SEIE (nothing enables SEIE before a driver asks).
/// `guest_trap` (Trap.swift) then answers a supervisor external interrupt by claiming from
/// `Trap.externalInterruptController` until the claim reads 0, calling
/// `Trap.externalInterruptHandler` for each source and completing it (spec "Interrupt Claim
/// Process", "Interrupt Completion"). sstatus.SIE is the caller's to open.
struct PLICDriver {
  static let pendingBase: UInt64 = 0x1000
  static let enableBase: UInt64 = 0x2000
  static let enableStride: UInt64 = 0x80
  static let contextBase: UInt64 = 0x20_0000
  static let contextStride: UInt64 = 0x1000
  /// Sources are 1...1023; 0 means "no interrupt" in a claim.
  static let maxSource: UInt32 = 1023
  /// Entry i of "interrupts-extended" is context i; this cause marks an S-mode one.
  static let supervisorExternalCause: UInt32 = UInt32(Interrupt.SEI)

  /// Physical (= virtual, satp = 0) address of the register block.
  let base: UInt64
  /// This hart's S-mode context.
  let context: UInt32
  /// The highest source number ("riscv,ndev"); sources above it are ignored.
  let sourceCount: UInt32
  /// True when `context` came from "interrupts-extended", false for the 2·hart + 1 fallback.
  let contextFromDeviceTree: Bool

  init(base: UInt64, context: UInt32, sourceCount: UInt32 = PLICDriver.maxSource,
       contextFromDeviceTree: Bool = false) {
    self.base = base
    self.context = context
    self.sourceCount = min(sourceCount, PLICDriver.maxSource)
    self.contextFromDeviceTree = contextFromDeviceTree
  }

  /// The QEMU `virt` convention: hart h's S-mode context is 2h + 1.
  static func supervisorContext(hart: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hart &* 2 &+ 1) }

  /// The first PLIC of the DTB (compatible "riscv,plic0" or "sifive,plic-1.0.0", "reg"),
  /// for `hart`'s S-mode context; nil when the DTB has none.
  init?(deviceTree: DeviceTree, hart: UInt64) {
    let fdt = deviceTree.fdt
    guard let node = fdt.firstNode(compatible: "riscv,plic0") ?? fdt.firstNode(compatible: "sifive,plic-1.0.0"),
      let reg = node.reg(0), reg.address != 0
    else { return nil }
    let ndev = node.property("riscv,ndev")?.u32 ?? PLICDriver.maxSource
    if let derived = PLICDriver.supervisorContext(of: node, hart: hart, in: deviceTree) {
      self.init(base: reg.address, context: derived, sourceCount: ndev, contextFromDeviceTree: true)
    } else {
      self.init(base: reg.address, context: PLICDriver.supervisorContext(hart: hart), sourceCount: ndev)
    }
  }

  /// The index of the ("interrupts-extended") entry that names `hart`'s cpu interrupt
  /// controller with cause 9, or nil when the DTB does not say (no such property, a
  /// controller that is not a cpu's, or no entry for this hart).
  static func supervisorContext(of plic: FDTNode, hart: UInt64, in deviceTree: DeviceTree) -> UInt32? {
    guard let entries = plic.property("interrupts-extended") else { return nil }
    // The cpu interrupt controllers: phandle, hart and #interrupt-cells.
    var controllers: [(phandle: UInt32, hart: UInt64, cells: Int)] = []
    deviceTree.forEachCPU { cpu in
      guard let id = cpu.property("reg")?.u64 else { return }
      cpu.forEachChild { child in
        guard child.property("interrupt-controller") != nil,
          let phandle = child.property("phandle")?.u32 ?? child.property("linux,phandle")?.u32
        else { return }
        let cells = Int(child.property("#interrupt-cells")?.u32 ?? 1)
        controllers.append((phandle, id, cells))
      }
    }
    var cell = 0
    var index: UInt32 = 0
    while let phandle = entries.cell(cell) {
      var found: (phandle: UInt32, hart: UInt64, cells: Int)? = nil
      for controller in controllers where controller.phandle == phandle { found = controller }
      guard let controller = found, controller.cells >= 1, let cause = entries.cell(cell &+ 1) else { return nil }
      if controller.hart == hart && cause == supervisorExternalCause { return index }
      cell &+= 1 &+ controller.cells
      index &+= 1
    }
    return nil
  }

  // MARK: Registers

  private func register(_ offset: UInt64) -> VolatileMappedRegister<UInt32> {
    VolatileMappedRegister<UInt32>(unsafeBitPattern: UInt(base &+ offset))
  }

  private func isValid(_ source: UInt32) -> Bool { source != 0 && source <= sourceCount }

  /// The enable word of `source` for this context, and the source's bit in it.
  private func enableWord(_ source: UInt32) -> (register: VolatileMappedRegister<UInt32>, bit: UInt32) {
    let offset = PLICDriver.enableBase &+ PLICDriver.enableStride &* UInt64(context) &+ 4 &* UInt64(source / 32)
    return (register(offset), 1 &<< (source % 32))
  }

  private var thresholdRegister: VolatileMappedRegister<UInt32> {
    register(PLICDriver.contextBase &+ PLICDriver.contextStride &* UInt64(context))
  }

  private var claimRegister: VolatileMappedRegister<UInt32> {
    register(PLICDriver.contextBase &+ PLICDriver.contextStride &* UInt64(context) &+ 4)
  }

  /// Sets a source's priority (0 = never interrupts; QEMU `virt` implements 1...7).
  func setPriority(_ priority: UInt32, source: UInt32) {
    guard isValid(source) else { return }
    register(4 &* UInt64(source)).store(priority)
  }

  func priority(source: UInt32) -> UInt32 {
    guard isValid(source) else { return 0 }
    return register(4 &* UInt64(source)).load()
  }

  /// Lets `source` interrupt this hart's S-mode context.
  func enable(source: UInt32) {
    guard isValid(source) else { return }
    let word = enableWord(source)
    word.register.store(word.register.load() | word.bit)
  }

  func disable(source: UInt32) {
    guard isValid(source) else { return }
    let word = enableWord(source)
    word.register.store(word.register.load() & ~word.bit)
  }

  func isEnabled(source: UInt32) -> Bool {
    guard isValid(source) else { return false }
    let word = enableWord(source)
    return word.register.load() & word.bit != 0
  }

  /// The source's pending bit (set by its gateway, cleared by a claim).
  func isPending(source: UInt32) -> Bool {
    guard isValid(source) else { return false }
    let bits = register(PLICDriver.pendingBase &+ 4 &* UInt64(source / 32)).load()
    return bits & (1 &<< (source % 32)) != 0
  }

  /// This context's threshold: only sources whose priority is above it interrupt. OpenSBI
  /// leaves it at 7 (everything masked), so a driver lowers it before waiting on a source.
  var threshold: UInt32 { thresholdRegister.load() }

  func setThreshold(_ threshold: UInt32) { thresholdRegister.store(threshold) }

  /// Claims the highest-priority pending source for this context (0 when none); the
  /// source's gateway forwards no new request until `complete`.
  func claim() -> UInt32 { claimRegister.load() }

  /// Completes a claimed source.
  func complete(source: UInt32) { claimRegister.store(source) }

  /// Claims, handles and completes every pending source: what `guest_trap` does for a
  /// supervisor external interrupt. Returns the number of sources handled.
  @discardableResult
  func dispatch(_ handler: (UInt32) -> Void) -> Int {
    var handled = 0
    while true {
      let source = claim()
      if source == 0 { return handled }
      handler(source)
      complete(source: source)
      handled &+= 1
    }
  }

  // MARK: Drivers' interrupts

  /// The attached sources and their handlers (`attach`).
  private static var handlers: [(source: UInt32, handler: (UInt32) -> Void)] = []

  /// Claimed sources nobody attached (each is completed and then disabled for this context
  /// on first sight, so a level-triggered line cannot keep interrupting).
  static var unattachedClaims: UInt64 = 0

  /// Enables `source` for this hart's S-mode context with `priority` (lowering the
  /// threshold below it when it is not already), records `handler` for it, and routes
  /// supervisor external interrupts to these handlers: sets
  /// `Trap.externalInterruptController` to this PLIC, `Trap.externalInterruptHandler` to the
  /// per-source table, and sie.SEIE. The handler runs in the trap handler, between claim and
  /// complete, with interrupts closed; it must not allocate. Returns false for a source
  /// outside 1...sourceCount or a priority of 0.
  @discardableResult
  func attach(source: UInt32, priority: UInt32 = 1, handler: @escaping (UInt32) -> Void) -> Bool {
    guard isValid(source), priority != 0 else { return false }
    PLICDriver.handlers.removeAll { $0.source == source }
    PLICDriver.handlers.append((source, handler))
    setPriority(priority, source: source)
    if threshold >= priority { setThreshold(0) }
    Trap.externalInterruptController = self
    Trap.externalInterruptHandler = PLICDriver.handleAttached
    enable(source: source)
    PLICDriver.enableExternalInterrupts()
    return true
  }

  /// Disables `source` for this context and forgets its handler; with no handler left,
  /// clears sie.SEIE and the trap routing again.
  func detach(source: UInt32) {
    disable(source: source)
    PLICDriver.handlers.removeAll { $0.source == source }
    if PLICDriver.handlers.isEmpty {
      PLICDriver.disableExternalInterrupts()
      Trap.externalInterruptHandler = nil
      Trap.externalInterruptController = nil
    }
  }

  /// The per-source dispatch `attach` installs as `Trap.externalInterruptHandler`. A source
  /// nobody attached is completed here and only then disabled: the PLIC ignores a
  /// completion for a source not enabled for the context ("Interrupt Completion"), which
  /// would leave its gateway closed for good. The claim loop's own completion that follows
  /// is then ignored.
  static func handleAttached(_ source: UInt32) {
    for entry in handlers where entry.source == source {
      entry.handler(source)
      return
    }
    unattachedClaims &+= 1
    if let plic = Trap.externalInterruptController {
      plic.complete(source: source)
      plic.disable(source: source)
    }
  }

  /// sie.SEIE: lets the supervisor external interrupt in (sstatus.SIE still gates it).
  static func enableExternalInterrupts() { csr_set_sie(Interrupt.SEIP) }

  static func disableExternalInterrupts() { csr_clear_sie(Interrupt.SEIP) }
}
