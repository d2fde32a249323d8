/// The board's memory map (QEMU `virt`, DESIGN §2). Shared by the board, firmware and guests.
public enum VirtMap {
    public static let bootROM: UInt64 = 0x1000
    public static let bootROMSize: UInt64 = 0x1000
    public static let testFinisher: UInt64 = 0x10_0000
    public static let clint: UInt64 = 0x0200_0000
    public static let clintSize: UInt64 = 0x10000
    public static let plic: UInt64 = 0x0C00_0000
    public static let plicSize: UInt64 = 0x60_0000
    public static let uart0: UInt64 = 0x1000_0000
    public static let uart0IRQ: UInt32 = 10
    public static let virtioBase: UInt64 = 0x1000_1000
    public static let virtioStride: UInt64 = 0x1000
    public static let dram: UInt64 = 0x8000_0000
    /// CLINT/ACLINT timebase: mtime ticks at 10 MHz.
    public static let timebaseHz: UInt64 = 10_000_000
}

/// Test finisher (`sifive,test0`) command values.
public enum Finisher {
    public static let fail: UInt32 = 0x3333
    public static let pass: UInt32 = 0x5555
    public static let reset: UInt32 = 0x7777
}
