/// One loadable (`PT_LOAD`) segment of an executable, as the board places it in memory.
public struct ELFSegment: Sendable, Equatable {
    /// `p_paddr`: where the board places the segment (like QEMU `-kernel`).
    public var physicalAddress: UInt64
    /// `p_vaddr`: the address the program was linked to run at.
    public var virtualAddress: UInt64
    /// The `p_filesz` bytes taken from the file.
    public var bytes: [UInt8]
    /// `p_memsz`: at least `bytes.count`; the rest is zero-filled (`.bss`).
    public var memorySize: UInt64
    public var readable: Bool
    public var writable: Bool
    public var executable: Bool

    public init(
        physicalAddress: UInt64,
        virtualAddress: UInt64,
        bytes: [UInt8],
        memorySize: UInt64,
        readable: Bool,
        writable: Bool,
        executable: Bool
    ) {
        self.physicalAddress = physicalAddress
        self.virtualAddress = virtualAddress
        self.bytes = bytes
        self.memorySize = memorySize
        self.readable = readable
        self.writable = writable
        self.executable = executable
    }
}
