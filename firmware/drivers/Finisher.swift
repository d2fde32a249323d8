import Shim
import _Volatile

/// The board's test finisher (`sifive,test0`, `Finisher` values in Sources/RISCV): how the
/// firmware powers the board off with an exit code.
enum PowerOff {
    nonisolated(unsafe) static var finisher: UInt64 = VirtMap.testFinisher

    /// 0 passes; anything else fails with that code (`(code << 16) | 0x3333`).
    static func exit(_ code: UInt64) -> Never {
        let value = code == 0 ? Finisher.pass : UInt32(truncatingIfNeeded: code << 16) | Finisher.fail
        VolatileMappedRegister<UInt32>(unsafeBitPattern: UInt(finisher)).store(value)
        fw_park()
    }
}
