import RISCV

/// SiFive test finisher (`sifive,test0`) at 0x10_0000 (QEMU `hw/misc/sifive_test`):
/// a 32-bit write of 0x5555 ends the run with exit code 0, `(code << 16) | 0x3333` with
/// `code`, 0x7777 asks for a reset. Reads return 0.
public final class TestFinisher {
    public enum Request: Equatable, Sendable { case exit(Int32), reset }
    public private(set) var request: Request?

    public init() {}

    func read(offset: UInt64, size: Int) -> UInt64 { 0 }

    func write(offset: UInt64, size: Int, value: UInt64) {
        guard offset == 0 else { return }
        let v = UInt32(truncatingIfNeeded: value)
        switch v & 0xFFFF {
        case Finisher.pass: request = .exit(0)
        case Finisher.fail: request = .exit(Int32(v >> 16))
        case Finisher.reset: request = .reset
        default: break
        }
    }

    public func clear() { request = nil }
}
