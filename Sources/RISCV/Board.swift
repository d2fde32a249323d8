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
    public static let virtioSlots = 8
    /// PLIC source of virtio-mmio slot n (QEMU virt: 1 + n).
    public static func virtioIRQ(slot n: Int) -> UInt32 { UInt32(1 + n) }
    public static let dram: UInt64 = 0x8000_0000
    /// CLINT/ACLINT timebase: mtime ticks at 10 MHz.
    public static let timebaseHz: UInt64 = 10_000_000
    /// Harts the board offers (`--harts 1...maxHarts`); the firmware has a stack and a
    /// per-hart record for each (firmware/arch/Shim/layout.h checks the same number).
    public static let maxHarts = 8
}

/// Register offsets inside the CLINT (SiFive layout, as QEMU virt): one 32-bit msip word per
/// hart, one 64-bit mtimecmp per hart, one mtime.
public enum CLINTLayout {
    public static let msip: UInt64 = 0x0
    public static let mtimecmp: UInt64 = 0x4000
    public static let mtime: UInt64 = 0xBFF8
    /// msip of hart `h`.
    public static func msip(hart h: UInt64) -> UInt64 { msip &+ 4 &* h }
    /// mtimecmp of hart `h`.
    public static func mtimecmp(hart h: UInt64) -> UInt64 { mtimecmp &+ 8 &* h }
}

/// Test finisher (`sifive,test0`) command values.
public enum Finisher {
    public static let fail: UInt32 = 0x3333
    public static let pass: UInt32 = 0x5555
    public static let reset: UInt32 = 0x7777
}
