#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RISCV

/// The physical address space of the board (DESIGN §2 memory map, identical to QEMU `virt`).
/// RAM and ROM are host memory reached through page pointers, RAM checked first; device
/// registers are reached only on the slow path, through the device table (address range →
/// device kind) and a switch over concrete device classes (no protocol existentials).
public final class Bus {
    public let dramBase: UInt64 = VirtMap.dram
    public let dramSize: UInt64
    /// Guest DRAM: one host allocation, zero-filled lazily by the host kernel.
    public let dram: UnsafeMutableRawPointer
    public let romBase: UInt64 = VirtMap.bootROM
    public let romSize: UInt64 = VirtMap.bootROMSize
    public let rom: UnsafeMutableRawPointer

    /// Decoded instructions of DRAM and ROM pages (shared by all harts).
    let dramCode: CodeCache
    let romCode: CodeCache
    /// Translated code of hot decoded regions (the template JIT, `JIT.swift`).
    let jit = JIT(enabled: true)

    /// Whether hot code is translated to host code (`--no-jit` turns it off). Results are
    /// the same either way; only the host time differs.
    public var jitEnabled: Bool {
        get { jit.enabled }
        set { jit.enabled = newValue && JIT.available }
    }

    /// Visits of a block entry before it is translated (default 16, at most
    /// `JIT.maxThreshold`: the count shares the slot's word with code addresses).
    public var jitThreshold: UInt {
        get { jit.threshold }
        set { jit.threshold = min(newValue, JIT.maxThreshold) }
    }

    /// Regions translated so far, the guest instructions in them, and page leaves chained.
    public var jitStatistics: (regions: Int, instructions: Int, chains: UInt64) {
        (jit.regions, jit.translatedInstructions, jit.chains)
    }

    public let clint: CLINT
    public let plic: PLIC
    public let uart: UART16550
    public let finisher: TestFinisher
    /// virtio-mmio slots 0…7 (nil: an empty slot, which answers with device ID 0).
    public private(set) var virtio: [VirtioBlock?] = Array(repeating: nil, count: 8)
    /// Whether any slot holds a disk: without one, the per-interrupt-check device work
    /// (`advanceDevices`, `nextDeviceEventCycle`) skips the slots altogether.
    private var anyVirtio = false

    /// HTIF (riscv-tests / Spike protocol), in RAM at the loaded ELF's `tohost`/`fromhost`.
    public let htif = HTIF()
    /// Physical address of HTIF's `tohost`, when the loaded ELF defines the symbol.
    public var tohost: UInt64? {
        get { htif.tohost }
        set { htif.tohost = newValue }
    }
    /// Physical address of HTIF's `fromhost`, when the loaded ELF defines the symbol.
    public var fromhost: UInt64? {
        get { htif.fromhost }
        set { htif.fromhost = newValue }
    }
    /// `--trace-events`: device requests, PLIC claims and CLINT writes go here (nil: off).
    /// The hart making the access names itself first (`TraceEvents.deviceContext`).
    public var traceEvents: TraceEvents?
    /// Set when the program asked to stop (finisher or HTIF exit).
    public var exitCode: Int32?
    public var resetRequested = false
    /// Advanced whenever the run loop switches harts: an LR reservation taken in an earlier
    /// epoch no longer holds (another hart may have stored to it).
    /// (Kept in a word of its own so translated code can read it: `JITState.epoch`.)
    public var interleavingEpoch: UInt64 {
        get { epochWord.pointee }
        set { epochWord.pointee = newValue }
    }
    let epochWord: UnsafeMutablePointer<UInt64> = {
        let p = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
        p.initialize(to: 0)
        return p
    }()

    /// The device table (`deviceMap`) in a raw buffer, so a lookup has no ARC or bounds checks.
    let devices: UnsafeMutablePointer<DeviceRange>
    let deviceCount: Int

    /// The spec's behaviour where QEMU 7.2's virt board departs from it (`--spec-strict`;
    /// docs/qemu-compatibility.md): the PLIC's level-triggered gateways and the virtio
    /// devices' strict feature negotiation and own vendor ID. Off: QEMU's behaviour.
    public let specStrict: Bool

    public init(memoryBytes: UInt64, harts: Int = 1, uart: UART16550 = UART16550(), specStrict: Bool = false) {
        precondition(memoryBytes > 0 && memoryBytes % 4096 == 0, "memory size must be a positive multiple of 4 KiB")
        dramSize = memoryBytes
        guard let m = calloc(Int(memoryBytes), 1) else { fatalError("cannot allocate \(memoryBytes) bytes of guest memory") }
        dram = m
        rom = calloc(Int(VirtMap.bootROMSize), 1)!
        dramCode = CodeCache(base: VirtMap.dram, bytes: memoryBytes)
        romCode = CodeCache(base: VirtMap.bootROM, bytes: VirtMap.bootROMSize)
        clint = CLINT(harts: harts)
        self.specStrict = specStrict
        plic = PLIC(harts: harts, specStrict: specStrict)
        self.uart = uart
        finisher = TestFinisher()
        deviceCount = Bus.deviceMap.count
        devices = .allocate(capacity: deviceCount)
        devices.initialize(from: Bus.deviceMap, count: deviceCount)
    }

    deinit {
        free(dram)
        free(rom)
        devices.deallocate()
        epochWord.deallocate()
    }

    /// Host pointer to `size` bytes of RAM or ROM at `paddr`, or nil when the range is not
    /// entirely inside one of them. ROM is not writable.
    @inline(__always)
    public func memoryPointer(_ paddr: UInt64, size: UInt64, write: Bool) -> UnsafeMutableRawPointer? {
        let d = paddr &- dramBase
        if d < dramSize && size <= dramSize - d { return dram + Int(d) }
        if !write {
            let r = paddr &- romBase
            if r < romSize && size <= romSize - r { return rom + Int(r) }
        }
        return nil
    }

    /// The decoded page for the RAM/ROM page holding `paddr`.
    func decodedPage(_ paddr: UInt64) -> UnsafeMutablePointer<Decoded>? {
        dramCode.page(for: paddr) ?? romCode.page(for: paddr)
    }

    /// Does the page holding `paddr` have decoded instructions (so stores must invalidate)?
    @inline(__always)
    func isCode(_ paddr: UInt64) -> Bool { dramCode.isCode(paddr) || romCode.isCode(paddr) }

    /// Keeps decoded instructions coherent with a write to [paddr, paddr + size).
    func codeWritten(_ paddr: UInt64, size: UInt64) {
        dramCode.invalidate(paddr, size: size)
        romCode.invalidate(paddr, size: size)
    }

    /// Called where no interpreter loop holds a decoded page: frees retired pages, and when
    /// the JIT's code buffer is full drops all decoded pages and code to start afresh.
    @inline(__always)
    func freeRetiredCode() {
        dramCode.freeRetired()
        romCode.freeRetired()
        if _slowPath(jit.flushRequested) {
            dramCode.flush()
            romCode.flush()
            jit.reset()
        }
    }

    func register(_ hart: Hart) {
        dramCode.harts.append(Unmanaged.passUnretained(hart))
        romCode.harts.append(Unmanaged.passUnretained(hart))
    }

    /// Copies bytes into RAM/ROM (loader). Returns false if the range is not memory.
    @discardableResult
    public func writeMemory(_ paddr: UInt64, _ bytes: [UInt8]) -> Bool {
        guard let p = memoryPointer(paddr, size: UInt64(bytes.count), write: false) else { return false }
        bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        codeWritten(paddr, size: UInt64(bytes.count))
        return true
    }

    public func readMemory(_ paddr: UInt64, count: Int) -> [UInt8]? {
        guard let p = memoryPointer(paddr, size: UInt64(count), write: false) else { return nil }
        return Array(UnsafeRawBufferPointer(start: p, count: count))
    }

    public func read64(_ paddr: UInt64) -> UInt64? {
        memoryPointer(paddr, size: 8, write: false)?.loadUnaligned(as: UInt64.self)
    }

    /// Attaches a disk image to virtio slot `slot`.
    public func attachDisk(slot: Int, path: String, readOnly: Bool) throws(VirtioBlock.OpenError) {
        let d = try VirtioBlock(bus: self, path: path, readOnly: readOnly, specStrict: specStrict)
        d.slot = slot
        virtio[slot] = d
        anyVirtio = true
    }

    /// Devices catch up with time: virtio completions whose latency has passed are posted
    /// and every interrupt line is sampled into the PLIC.
    public func advanceDevices(cycles: UInt64) {
        uart.input.pump(cycles: cycles)
        if anyVirtio {
            for d in virtio { d?.advance(cycles: cycles) }
            updateInterruptLines(.all, cycles: cycles)
        } else {
            updateInterruptLines(.uart, cycles: cycles)
        }
    }

    /// The next cycle at which a device has something to post (virtio completions).
    public var nextDeviceEventCycle: UInt64? {
        guard anyVirtio else { return nil }
        var next: UInt64?
        for d in virtio { if let t = d?.nextEventCycle { next = min(next ?? t, t) } }
        return next
    }

    // MARK: The device table

    /// The devices that answer through `mmioRead`/`mmioWrite` (RAM and ROM are not among
    /// them: `memoryPointer` finds those first).
    enum DeviceKind: UInt8 {
        case uart, plic, clint, finisher, virtio
    }

    /// One row of the device table: `kind` answers for [base, base + size).
    struct DeviceRange {
        let base: UInt64
        let size: UInt64
        let kind: DeviceKind
    }

    /// The board's devices in lookup order (QEMU virt addresses, DESIGN §2). The virtio row
    /// covers all eight slots; the slot is the offset divided by the stride.
    static let deviceMap: [DeviceRange] = [
        DeviceRange(base: VirtMap.uart0, size: 0x100, kind: .uart),
        DeviceRange(base: VirtMap.plic, size: VirtMap.plicSize, kind: .plic),
        DeviceRange(base: VirtMap.clint, size: VirtMap.clintSize, kind: .clint),
        DeviceRange(base: VirtMap.testFinisher, size: 0x1000, kind: .finisher),
        DeviceRange(base: VirtMap.virtioBase, size: UInt64(VirtMap.virtioSlots) * VirtMap.virtioStride, kind: .virtio),
    ]

    /// The device answering at `paddr`, and the offset into its range; nil when none does.
    @inline(__always)
    func device(at paddr: UInt64) -> (kind: DeviceKind, offset: UInt64)? {
        var i = 0
        while i < deviceCount {
            let row = devices[i]
            let offset = paddr &- row.base
            if offset < row.size { return (row.kind, offset) }
            i &+= 1
        }
        return nil
    }

    /// A device register read; nil means no device answers (access fault).
    func mmioRead(_ paddr: UInt64, size: Int, cycles: UInt64) -> UInt64? {
        guard let hit = device(at: paddr) else { return nil }
        let offset = hit.offset
        switch hit.kind {
        case .uart:
            uart.now = cycles
            let value = uart.read(offset: offset, size: size)
            updateInterruptLines(.uart, cycles: cycles)
            return value
        case .plic:
            let value = plic.read(offset: offset, size: size)
            if let t = traceEvents, value != 0, let context = Bus.plicClaimContext(offset) {
                t.plicClaim(context: context, source: Int(value))
            }
            return value
        case .clint:
            return clint.read(offset: offset, size: size, cycles: cycles)
        case .finisher:
            return finisher.read(offset: offset, size: size)
        case .virtio:
            let slot = Int(offset / VirtMap.virtioStride)
            guard let d = virtio[slot] else {
                return Bus.emptyVirtioSlot(offset % VirtMap.virtioStride, size: size, specStrict: specStrict)
            }
            d.advance(cycles: cycles)
            let value = d.read(offset: offset % VirtMap.virtioStride, size: size)
            updateInterruptLines(.virtio(slot), cycles: cycles)
            return value
        }
    }

    /// A device register write; false means no device answers (access fault).
    func mmioWrite(_ paddr: UInt64, size: Int, value: UInt64, cycles: UInt64) -> Bool {
        guard let hit = device(at: paddr) else { return false }
        let offset = hit.offset
        switch hit.kind {
        case .uart:
            uart.now = cycles
            uart.write(offset: offset, size: size, value: value)
            updateInterruptLines(.uart, cycles: cycles)
        case .plic:
            plic.write(offset: offset, size: size, value: value)
            if let t = traceEvents, size == 4, let context = Bus.plicClaimContext(offset) {
                t.plicComplete(context: context, source: Int(value & 0xFFFF_FFFF))
            }
        case .clint:
            clint.write(offset: offset, size: size, value: value, cycles: cycles)
            if let t = traceEvents { traceCLINTWrite(t, offset: offset, size: size) }
        case .finisher:
            finisher.write(offset: offset, size: size, value: value)
            switch finisher.request {
            case .exit(let code)?: exitCode = code
            case .reset?: resetRequested = true
            case nil: break
            }
        case .virtio:
            let slot = Int(offset / VirtMap.virtioStride)
            guard let d = virtio[slot] else { return true }  // writes to an empty slot are ignored
            d.advance(cycles: cycles)
            d.write(offset: offset % VirtMap.virtioStride, size: size, value: value, cycles: cycles)
            updateInterruptLines(.virtio(slot), cycles: cycles)
        }
        return true
    }

    // MARK: Tracing

    /// The PLIC context whose claim/complete register is at `offset`, if it is one.
    static func plicClaimContext(_ offset: UInt64) -> Int? {
        guard offset >= PLIC.contextBase, (offset - PLIC.contextBase) % PLIC.contextStride == 4 else { return nil }
        return Int((offset - PLIC.contextBase) / PLIC.contextStride)
    }

    /// msip (IPIs) and mtimecmp writes, with the register's value after the write.
    func traceCLINTWrite(_ t: TraceEvents, offset: UInt64, size: Int) {
        if offset < CLINT.msipBase + 4 * UInt64(clint.harts), offset >= CLINT.msipBase, size == 4, offset % 4 == 0 {
            let h = Int((offset - CLINT.msipBase) / 4)
            t.clintMsip(target: h, value: clint.softwarePending(hart: h))
        } else if offset >= CLINT.mtimecmpBase, offset < CLINT.mtimecmpBase + 8 * UInt64(clint.harts) {
            let h = Int((offset - CLINT.mtimecmpBase) / 8)
            t.clintMtimecmp(target: h, value: clint.mtimecmp[h])
        }
    }

    // MARK: Interrupt lines

    /// The device lines one sample covers.
    enum InterruptLines {
        /// Every device's line (devices catching up with time, `advanceDevices`).
        case all
        /// The UART's (after an access to it).
        case uart
        /// Virtio slot n's (after an access to it).
        case virtio(Int)
    }

    /// Samples device interrupt lines into the PLIC at time `cycles`: the one place where a
    /// device's line reaches its PLIC source (virtio slot n → 1 + n, the UART → 10). Console
    /// input that has arrived by `cycles` enters the UART's receive FIFO.
    ///
    /// QEMU's way (the default): a line reaches the PLIC only when its device updated it
    /// since the last sample, as QEMU's devices call `qemu_set_irq` on their state changes
    /// and its PLIC acts on each call; a line that merely stays high is not passed again.
    /// With `specStrict` every sample passes the level (the spec's level-triggered gateway).
    func updateInterruptLines(_ lines: InterruptLines, cycles: UInt64) {
        var slots = 0..<VirtMap.virtioSlots, sampleUART = true
        switch lines {
        case .all: break
        case .uart: slots = 0..<0
        case .virtio(let slot): slots = slot..<(slot + 1); sampleUART = false
        }
        for slot in slots {
            guard let d = virtio[slot] else { continue }
            let line = d.interruptLine
            if d.takeInterruptUpdate() || specStrict { plic.setLevel(Int(VirtMap.virtioIRQ(slot: slot)), line) }
        }
        if sampleUART {
            uart.now = cycles
            let line = uart.interruptLine  // first: arriving input is an update too
            if uart.takeInterruptUpdate() || specStrict { plic.setLevel(Int(VirtMap.uart0IRQ), line) }
        }
    }

    /// An empty virtio-mmio slot: magic and version, device ID 0 (§4.2.2: "no device"), and
    /// the vendor ID of the devices (QEMU's transport answers with its own there too).
    static func emptyVirtioSlot(_ offset: UInt64, size: Int, specStrict: Bool) -> UInt64 {
        guard size == 4 else { return 0 }
        switch offset {
        case VirtioBlock.magicValue: return 0x7472_6976
        case VirtioBlock.version: return 2
        case VirtioBlock.vendorID: return UInt64(specStrict ? VirtioBlock.boardVendor : VirtioBlock.qemuVendor)
        default: return 0
        }
    }
}
