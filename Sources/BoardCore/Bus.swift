#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RISCV

/// The physical address space of the board (DESIGN §2 memory map, identical to QEMU `virt`).
/// RAM and ROM are host memory reached through page pointers; device registers are reached
/// only on the slow path, through concrete device classes (no protocol existentials).
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

    /// Regions translated so far and the guest instructions in them.
    public var jitStatistics: (regions: Int, instructions: Int) { (jit.regions, jit.translatedInstructions) }

    public let clint: CLINT
    public let plic: PLIC
    public let uart: UART16550
    public let finisher: TestFinisher
    /// virtio-mmio slots 0…7 (nil: an empty slot, which answers with device ID 0).
    public private(set) var virtio: [VirtioBlock?] = Array(repeating: nil, count: 8)

    /// HTIF (riscv-tests / Spike protocol): physical addresses of `tohost`/`fromhost`, when the
    /// loaded ELF defines those symbols.
    public var tohost: UInt64?
    public var fromhost: UInt64?
    /// Set when the program asked to stop (finisher or HTIF exit).
    public var exitCode: Int32?
    public var resetRequested = false
    /// Advanced whenever the run loop switches harts: an LR reservation taken in an earlier
    /// epoch no longer holds (another hart may have stored to it).
    public var interleavingEpoch: UInt64 = 0

    public init(memoryBytes: UInt64, harts: Int = 1, uart: UART16550 = UART16550()) {
        precondition(memoryBytes > 0 && memoryBytes % 4096 == 0, "memory size must be a positive multiple of 4 KiB")
        dramSize = memoryBytes
        guard let m = calloc(Int(memoryBytes), 1) else { fatalError("cannot allocate \(memoryBytes) bytes of guest memory") }
        dram = m
        rom = calloc(Int(VirtMap.bootROMSize), 1)!
        dramCode = CodeCache(base: VirtMap.dram, bytes: memoryBytes)
        romCode = CodeCache(base: VirtMap.bootROM, bytes: VirtMap.bootROMSize)
        clint = CLINT(harts: harts)
        plic = PLIC(harts: harts)
        self.uart = uart
        finisher = TestFinisher()
    }

    deinit {
        free(dram)
        free(rom)
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
        virtio[slot] = try VirtioBlock(bus: self, path: path, readOnly: readOnly)
    }

    /// Devices catch up with time: virtio completions whose latency has passed are posted
    /// and every interrupt line is sampled into the PLIC.
    public func advanceDevices(cycles: UInt64) {
        uart.input.pump(cycles: cycles)
        for (n, d) in virtio.enumerated() {
            guard let d else { continue }
            d.advance(cycles: cycles)
            plic.setLevel(1 + n, d.interruptLine)
        }
        updateUARTLine(cycles: cycles)
    }

    /// The next cycle at which a device has something to post (virtio completions).
    public var nextDeviceEventCycle: UInt64? {
        virtio.compactMap { $0?.nextEventCycle }.min()
    }

    /// A device register read; nil means no device answers (access fault).
    func mmioRead(_ paddr: UInt64, size: Int, cycles: UInt64) -> UInt64? {
        if paddr &- VirtMap.uart0 < 0x100 {
            defer { updateUARTLine(cycles: cycles) }
            uart.now = cycles
            return uart.read(offset: paddr - VirtMap.uart0, size: size)
        }
        if paddr &- VirtMap.plic < VirtMap.plicSize {
            return plic.read(offset: paddr - VirtMap.plic, size: size)
        }
        if paddr &- VirtMap.clint < VirtMap.clintSize {
            return clint.read(offset: paddr - VirtMap.clint, size: size, cycles: cycles)
        }
        if paddr &- VirtMap.testFinisher < 0x1000 {
            return finisher.read(offset: paddr - VirtMap.testFinisher, size: size)
        }
        if paddr &- VirtMap.virtioBase < 8 * VirtMap.virtioStride {
            let slot = Int((paddr - VirtMap.virtioBase) / VirtMap.virtioStride)
            let offset = (paddr - VirtMap.virtioBase) % VirtMap.virtioStride
            guard let d = virtio[slot] else { return Bus.emptyVirtioSlot(offset, size: size) }
            d.advance(cycles: cycles)
            defer { plic.setLevel(1 + slot, d.interruptLine) }
            return d.read(offset: offset, size: size)
        }
        return nil
    }

    /// A device register write; false means no device answers (access fault).
    func mmioWrite(_ paddr: UInt64, size: Int, value: UInt64, cycles: UInt64) -> Bool {
        if paddr &- VirtMap.uart0 < 0x100 {
            uart.now = cycles
            uart.write(offset: paddr - VirtMap.uart0, size: size, value: value)
            updateUARTLine(cycles: cycles)
            return true
        }
        if paddr &- VirtMap.plic < VirtMap.plicSize {
            plic.write(offset: paddr - VirtMap.plic, size: size, value: value)
            return true
        }
        if paddr &- VirtMap.clint < VirtMap.clintSize {
            clint.write(offset: paddr - VirtMap.clint, size: size, value: value, cycles: cycles)
            return true
        }
        if paddr &- VirtMap.testFinisher < 0x1000 {
            finisher.write(offset: paddr - VirtMap.testFinisher, size: size, value: value)
            switch finisher.request {
            case .exit(let code)?: exitCode = code
            case .reset?: resetRequested = true
            case nil: break
            }
            return true
        }
        if paddr &- VirtMap.virtioBase < 8 * VirtMap.virtioStride {
            let slot = Int((paddr - VirtMap.virtioBase) / VirtMap.virtioStride)
            guard let d = virtio[slot] else { return true }  // writes to an empty slot are ignored
            d.advance(cycles: cycles)
            d.write(offset: (paddr - VirtMap.virtioBase) % VirtMap.virtioStride, size: size, value: value, cycles: cycles)
            plic.setLevel(1 + slot, d.interruptLine)
            return true
        }
        return false
    }

    /// Samples the UART's interrupt line into the PLIC at time `cycles` (console input that
    /// has arrived by then enters the receive FIFO).
    public func updateUARTLine(cycles: UInt64) {
        uart.now = cycles
        plic.setLevel(Int(VirtMap.uart0IRQ), uart.interruptLine)
    }

    /// An empty virtio-mmio slot: magic and version, device ID 0 (§4.2.2: "no device").
    static func emptyVirtioSlot(_ offset: UInt64, size: Int) -> UInt64 {
        guard size == 4 else { return 0 }
        switch offset {
        case VirtioBlock.magicValue: return 0x7472_6976
        case VirtioBlock.version: return 2
        case VirtioBlock.vendorID: return 0x4F52_4956
        default: return 0
        }
    }

    /// Is this physical page the one holding `tohost`? Stores there take the slow path.
    @inline(__always)
    func isHTIFPage(_ paddr: UInt64) -> Bool {
        guard let t = tohost else { return false }
        return (paddr ^ t) >> 12 == 0
    }

    /// Called after a store that touched `tohost` (riscv-tests / Spike HTIF protocol):
    /// device 0 command 0 with bit 0 set = exit with code value>>1; device 0 with bit 0 clear =
    /// pointer to a proxy-kernel syscall block (only `write` to fd 1/2 is served);
    /// device 1 command 1 = console putchar.
    func htifStore() {
        guard let t = tohost, let value = read64(t), value != 0 else { return }
        let device = value >> 56, command = (value >> 48) & 0xFF, payload = value & 0xFFFF_FFFF_FFFF
        var reply: UInt64?
        switch (device, command) {
        case (0, 0):
            if payload & 1 == 1 {
                exitCode = Int32(truncatingIfNeeded: payload >> 1)
            } else if let block = readMemory(payload, count: 64) {
                let word: (Int) -> UInt64 = { i in block.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self) } }
                let sysno = word(0)
                var ret: UInt64 = UInt64(bitPattern: -38)  // -ENOSYS
                if sysno == 64, word(1) == 1 || word(1) == 2, let bytes = readMemory(word(2), count: Int(min(word(3), 1 << 20))) {
                    for b in bytes { uart.transmit(b) }
                    ret = UInt64(bytes.count)
                } else if sysno == 93 {  // exit
                    exitCode = Int32(truncatingIfNeeded: word(1))
                }
                writeMemory(payload, withUnsafeBytes(of: ret.littleEndian) { Array($0) })
                reply = 1
            }
        case (1, 1):
            uart.transmit(UInt8(truncatingIfNeeded: payload))
            reply = (1 << 56) | (1 << 48) | 0x100 | (payload & 0xFF)  // as Spike's console device
        default:
            break
        }
        writeMemory(t, [UInt8](repeating: 0, count: 8))
        if let reply, let f = fromhost {
            writeMemory(f, withUnsafeBytes(of: reply.littleEndian) { Array($0) })
        }
    }
}
