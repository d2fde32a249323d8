#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BoardCore
import Foundation
import RISCV
import VireoELF

/// Boot and image placement: firmware, kernel, initrd and modules in DRAM, the device tree
/// at the top of DRAM, and the boot ROM handing over fw_dynamic info (`BootROM`).
extension Machine {
    /// A file placed in DRAM and described in the device tree (initrd, boot modules).
    public struct Blob: Sendable {
        public var path: String
        public var bytes: [UInt8]
        public var address: UInt64 = 0
        /// A module's command line (`--module FILE,ARGS`).
        public var arguments: String?
        public init(path: String, bytes: [UInt8], arguments: String? = nil) {
            self.path = path
            self.bytes = bytes
            self.arguments = arguments
        }
        var end: UInt64 { address + UInt64(bytes.count) }
    }

    /// The regions a loaded image may occupy.
    public var loadableRegions: [MemoryRegion] {
        [MemoryRegion(name: "DRAM", base: bus.dramBase, size: bus.dramSize),
         MemoryRegion(name: "ROM", base: bus.romBase, size: bus.romSize)]
    }

    /// Loads an ELF like `qemu-system-riscv64 -M virt -bios none -kernel ELF`: PT_LOAD
    /// segments at their physical addresses, bss zeroed, boot ROM jumping to the entry.
    public func load(_ program: ELFProgram) throws(ELFError) {
        try boot(firmware: nil, kernel: program)
    }

    /// QEMU-style boot (`-bios FW -kernel K`): the firmware starts in M-mode at its entry
    /// with a0 = hart id, a1 = DTB and a2 = fw_dynamic info naming the kernel's entry.
    /// Without firmware the kernel itself starts in M-mode (`-bios none`).
    public func boot(firmware: ELFProgram?, kernel: ELFProgram?, initrd: Blob? = nil, modules: [Blob] = []) throws(ELFError) {
        let list = [firmware, kernel].compactMap { $0 }
        for image in list { try image.checkPlacement(in: loadableRegions) }
        if let firmware, let kernel {
            for a in firmware.segments {
                for b in kernel.segments
                where a.physicalAddress < b.physicalAddress + b.memorySize && b.physicalAddress < a.physicalAddress + a.memorySize {
                    throw ELFError(path: kernel.path, reason: .overlappingSegments(b.physicalAddress, a.physicalAddress))
                }
            }
        }
        images = list
        nextAddress = firmware != nil ? (kernel?.entry ?? 0) : 0
        // Blobs go above everything loaded so far, 2 MiB aligned, and must fit below the DTB.
        var top = list.flatMap(\.segments).map { $0.physicalAddress + $0.memorySize }.max() ?? bus.dramBase
        func align(_ v: UInt64) -> UInt64 { (v + (2 << 20) - 1) & ~((2 << 20) - 1) }
        let dramEnd = bus.dramBase + bus.dramSize
        let reserve: UInt64 = 2 << 20  // the device tree's place at the top of DRAM
        func place(_ blob: Blob, at address: UInt64) throws(ELFError) -> Blob {
            var b = blob
            b.address = address
            guard b.end <= dramEnd - reserve else {
                throw ELFError(path: blob.path, reason: .outsideMemory(address, b.end, "DRAM 0x\(String(bus.dramBase, radix: 16))-0x\(String(dramEnd - reserve, radix: 16)) below the device tree"))
            }
            top = max(top, b.end)
            return b
        }
        if let initrd {
            let preferred = bus.dramBase + min(bus.dramSize / 2, 128 << 20)
            self.initrd = try place(initrd, at: max(align(top), preferred))
        } else {
            self.initrd = nil
        }
        var placed: [Blob] = []
        for m in modules { placed.append(try place(m, at: align(top))) }
        self.modules = placed
        let htif = list.first { $0.symbol("tohost") != nil }
        bus.tohost = htif?.symbol("tohost")
        bus.fromhost = htif?.symbol("fromhost")
        reset()
    }

    /// Reads a boot image: an ELF (placed at its physical addresses), or anything else as a
    /// raw binary placed at `rawBase` (QEMU's rule for `-bios x.bin` and a Linux `Image`).
    public static func image(path: String, rawBase: UInt64) throws(ELFError) -> ELFProgram {
        guard let f = fopen(path, "rb") else {
            throw ELFError(path: path, reason: .cannotOpen(String(cString: strerror(errno))))
        }
        var magic = [UInt8](repeating: 0, count: 4)
        let n = fread(&magic, 1, 4, f)
        fclose(f)
        if n == 4 && magic == [0x7F, 0x45, 0x4C, 0x46] { return try ELFProgram.read(path: path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ELFError(path: path, reason: .cannotOpen("unreadable"))
        }
        guard !data.isEmpty else { throw ELFError(path: path, reason: .malformed("empty image")) }
        let bytes = [UInt8](data)
        return ELFProgram(path: path, entry: rawBase, segments: [
            ELFSegment(physicalAddress: rawBase, virtualAddress: rawBase, bytes: bytes, memorySize: UInt64(bytes.count),
                       readable: true, writable: true, executable: true),
        ])
    }

    /// Where QEMU virt puts a raw kernel after firmware: the firmware's end rounded up to 2 MiB.
    public static func kernelBase(after firmware: ELFProgram?) -> UInt64 {
        guard let end = firmware?.segments.map({ $0.physicalAddress + $0.memorySize }).max() else { return VirtMap.dram }
        return (end + (2 << 20) - 1) & ~((2 << 20) - 1)
    }

    public func load(path: String) throws(ELFError) {
        try load(try ELFProgram.read(path: path))
    }

    /// Board reset: images rewritten, boot ROM and DTB in place, hart at 0x1000 in M-mode.
    public func reset() {
        guard let program else { return }
        for s in images.flatMap(\.segments) {
            bus.writeMemory(s.physicalAddress, s.bytes)
            let bss = Int(s.memorySize) - s.bytes.count
            if bss > 0 { bus.writeMemory(s.physicalAddress + UInt64(s.bytes.count), [UInt8](repeating: 0, count: bss)) }
        }
        for blob in ([initrd].compactMap { $0 } + modules) { bus.writeMemory(blob.address, blob.bytes) }
        let dtb = deviceTreeBlob()
        dtbAddress = placeDeviceTree(size: UInt64(dtb.count))
        bus.writeMemory(dtbAddress, dtb)
        bus.writeMemory(bus.romBase, BootROM.image(entry: program.entry, dtb: dtbAddress, nextAddress: nextAddress))
        bus.exitCode = nil
        bus.resetRequested = false
        for d in bus.virtio { d?.reset() }
        bus.finisher.clear()
        for h in harts { h.reset(pc: bus.romBase) }
    }

    /// Like QEMU virt: the DTB goes at the top of DRAM (below 3 GiB), 2 MiB aligned down,
    /// unless that would overlap a loaded segment, in which case it goes right after the image.
    func placeDeviceTree(size: UInt64) -> UInt64 {
        let end = min(bus.dramBase + bus.dramSize, 0x1_0000_0000 - 0x4000_0000 + bus.dramBase)
        var addr = (end - size) & ~((2 << 20) - 1)
        if addr < bus.dramBase { addr = (end - size) & ~0xFFF }
        let segments = images.flatMap(\.segments)
        let overlaps = segments.contains { addr < $0.physicalAddress + $0.memorySize && addr + size > $0.physicalAddress }
        if overlaps, let last = segments.map({ $0.physicalAddress + $0.memorySize }).max() {
            addr = (last + 0xFFFF) & ~0xFFFF
        }
        return addr
    }
}
