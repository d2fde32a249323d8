import Shim
import _Volatile

/// The board's CLINT (SiFive layout, `CLINTLayout` in Sources/RISCV): each hart's machine
/// timer compare and software-interrupt word.
enum CLINT {
    nonisolated(unsafe) static var base: UInt64 = VirtMap.clint

    /// Arms hart `hart`'s machine timer for `time` >= value (max = never).
    static func setTimer(hart: UInt64, _ value: UInt64) {
        VolatileMappedRegister<UInt64>(unsafeBitPattern: UInt(base &+ CLINTLayout.mtimecmp(hart: hart))).store(value)
    }

    /// Raises (1) or clears (0) hart `hart`'s machine software interrupt.
    static func setSoftwareInterrupt(hart: UInt64, _ value: UInt32) {
        VolatileMappedRegister<UInt32>(unsafeBitPattern: UInt(base &+ CLINTLayout.msip(hart: hart))).store(value)
    }
}
