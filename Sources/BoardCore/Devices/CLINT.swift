import RISCV

/// Core-local interruptor (SiFive CLINT layout as in QEMU virt, DESIGN §2):
/// msip[h] at +4h, mtimecmp[h] at +0x4000 + 8h, mtime at +0xBFF8. mtime is not host time:
/// it is the modeled cycle count divided by `CycleModel.cyclesPerTick`, plus whatever offset
/// software wrote into mtime.
public final class CLINT {
    static let msipBase: UInt64 = CLINTLayout.msip
    static let mtimecmpBase: UInt64 = CLINTLayout.mtimecmp
    static let mtimeOffset: UInt64 = CLINTLayout.mtime

    public let harts: Int
    var msip: [Bool]
    var mtimecmp: [UInt64]
    /// mtime = cycles / cyclesPerTick + timeOffset (wrapping).
    var timeOffset: UInt64 = 0

    public init(harts: Int) {
        self.harts = harts
        msip = Array(repeating: false, count: harts)
        mtimecmp = Array(repeating: UInt64.max, count: harts)
    }

    @inline(__always)
    public func mtime(cycles: UInt64) -> UInt64 { cycles / CycleModel.cyclesPerTick &+ timeOffset }

    public func timerPending(hart: Int, cycles: UInt64) -> Bool { mtime(cycles: cycles) >= mtimecmp[hart] }
    public func softwarePending(hart: Int) -> Bool { msip[hart] }

    /// The first cycle at which hart's timer interrupt becomes pending, or nil if never
    /// (before mtime wraps).
    public func timerEventCycle(hart: Int, cycles: UInt64) -> UInt64? {
        cycle(whenMtimeReaches: mtimecmp[hart], cycles: cycles)
    }

    /// The first cycle at which mtime ≥ `cmp`, or nil if never (before mtime wraps).
    public func cycle(whenMtimeReaches cmp: UInt64, cycles: UInt64) -> UInt64? {
        let now = mtime(cycles: cycles)
        if now >= cmp { return cycles }
        let ticks = cmp &- now
        let (delta, o1) = ticks.multipliedReportingOverflow(by: CycleModel.cyclesPerTick)
        if o1 { return nil }
        // Align to the tick boundary: the tick advances when cycles crosses a multiple.
        let base = cycles - cycles % CycleModel.cyclesPerTick
        let (at, o2) = base.addingReportingOverflow(delta)
        return o2 ? nil : at
    }

    func read(offset: UInt64, size: Int, cycles: UInt64) -> UInt64? {
        switch offset {
        case Self.msipBase..<(Self.msipBase + 4 * UInt64(harts)) where size == 4 && offset % 4 == 0:
            return msip[Int(offset / 4)] ? 1 : 0
        case Self.mtimecmpBase..<(Self.mtimecmpBase + 8 * UInt64(harts)):
            let h = Int((offset - Self.mtimecmpBase) / 8)
            return Self.extract(mtimecmp[h], at: (offset - Self.mtimecmpBase) % 8, size: size)
        case Self.mtimeOffset..<(Self.mtimeOffset + 8):
            return Self.extract(mtime(cycles: cycles), at: offset - Self.mtimeOffset, size: size)
        default:
            return 0
        }
    }

    func write(offset: UInt64, size: Int, value: UInt64, cycles: UInt64) {
        switch offset {
        case Self.msipBase..<(Self.msipBase + 4 * UInt64(harts)) where size == 4 && offset % 4 == 0:
            msip[Int(offset / 4)] = value & 1 != 0
        case Self.mtimecmpBase..<(Self.mtimecmpBase + 8 * UInt64(harts)):
            let h = Int((offset - Self.mtimecmpBase) / 8)
            mtimecmp[h] = Self.insert(mtimecmp[h], value, at: (offset - Self.mtimecmpBase) % 8, size: size)
        case Self.mtimeOffset..<(Self.mtimeOffset + 8):
            let now = mtime(cycles: cycles)
            let new = Self.insert(now, value, at: offset - Self.mtimeOffset, size: size)
            timeOffset = timeOffset &+ (new &- now)
        default:
            break
        }
    }

    /// Reads `size` bytes at byte `at` of a little-endian 64-bit register.
    static func extract(_ reg: UInt64, at: UInt64, size: Int) -> UInt64 {
        guard at + UInt64(size) <= 8 else { return 0 }
        let v = reg >> (at * 8)
        return size == 8 ? v : v & ((1 << (UInt64(size) * 8)) - 1)
    }

    static func insert(_ reg: UInt64, _ value: UInt64, at: UInt64, size: Int) -> UInt64 {
        guard at + UInt64(size) <= 8 else { return reg }
        let mask: UInt64 = size == 8 ? .max : ((1 << (UInt64(size) * 8)) - 1) << (at * 8)
        return (reg & ~mask) | ((value << (at * 8)) & mask)
    }
}
