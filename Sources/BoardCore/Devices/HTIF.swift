/// HTIF, the host-target interface of riscv-tests and Spike: two 64-bit words in RAM,
/// `tohost` and `fromhost`, at the addresses of the loaded ELF's symbols. A store that
/// touches `tohost` hands the host a command: device 0 command 0 with bit 0 set = exit with
/// code value>>1; device 0 with bit 0 clear = pointer to a proxy-kernel syscall block (only
/// `write` to fd 1/2 and `exit` are served); device 1 command 1 = console putchar. The host
/// clears `tohost` and, where the command has one, puts the reply in `fromhost`.
/// The words live in RAM, not behind the bus's device table: the hart keeps the `tohost`
/// page out of its write TLB, so every store to it takes the slow path, which asks `touches`.
public final class HTIF {
    /// Physical address of `tohost`, when the loaded ELF defines the symbol.
    public var tohost: UInt64?
    /// Physical address of `fromhost`, when the loaded ELF defines the symbol.
    public var fromhost: UInt64?

    public init() {}

    /// Is this physical page the one holding `tohost`? Stores there take the slow path.
    @inline(__always)
    func isTohostPage(_ paddr: UInt64) -> Bool {
        guard let t = tohost else { return false }
        return (paddr ^ t) >> 12 == 0
    }

    /// Does a store of `size` bytes at `paddr` touch `tohost`?
    @inline(__always)
    func touches(_ paddr: UInt64, size: UInt64) -> Bool {
        guard let t = tohost else { return false }
        return paddr < t &+ 8 && paddr &+ size > t
    }

    /// Serves the command a store left in `tohost`: console output goes to the bus's UART,
    /// an exit request to `bus.exitCode`.
    func serve(_ bus: Bus) {
        guard let t = tohost, let value = bus.read64(t), value != 0 else { return }
        let device = value >> 56, command = (value >> 48) & 0xFF, payload = value & 0xFFFF_FFFF_FFFF
        var reply: UInt64?
        switch (device, command) {
        case (0, 0):
            if payload & 1 == 1 {
                bus.exitCode = Int32(truncatingIfNeeded: payload >> 1)
            } else if let block = bus.readMemory(payload, count: 64) {
                let word: (Int) -> UInt64 = { i in block.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self) } }
                let sysno = word(0)
                var ret: UInt64 = UInt64(bitPattern: -38)  // -ENOSYS
                if sysno == 64, word(1) == 1 || word(1) == 2, let bytes = bus.readMemory(word(2), count: Int(min(word(3), 1 << 20))) {
                    for b in bytes { bus.uart.transmit(b) }
                    ret = UInt64(bytes.count)
                } else if sysno == 93 {  // exit
                    bus.exitCode = Int32(truncatingIfNeeded: word(1))
                }
                bus.writeMemory(payload, withUnsafeBytes(of: ret.littleEndian) { Array($0) })
                reply = 1
            }
        case (1, 1):
            bus.uart.transmit(UInt8(truncatingIfNeeded: payload))
            reply = (1 << 56) | (1 << 48) | 0x100 | (payload & 0xFF)  // as Spike's console device
        default:
            break
        }
        bus.writeMemory(t, [UInt8](repeating: 0, count: 8))
        if let reply, let f = fromhost {
            bus.writeMemory(f, withUnsafeBytes(of: reply.littleEndian) { Array($0) })
        }
    }
}
