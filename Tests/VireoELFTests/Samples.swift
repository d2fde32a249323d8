import TestSupport
import Foundation

/// Sample executables and a scratch directory shared by the tests.
enum Samples {
    static let textBytes: [UInt8] = (0..<0x40).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
    static let dataBytes: [UInt8] = (0..<0x20).map { UInt8(truncatingIfNeeded: 0xA0 + $0) }

    static let symbols: [TestELFWriter.Symbol] = [
        .init(name: "crt.S", value: 0, binding: 0, type: 4, section: 0xFFF1),  // STT_FILE, SHN_ABS
        .init(name: "", value: 0x8000_0000, binding: 0, type: 3, section: 1),  // STT_SECTION
        .init(name: "loop", value: 0x8000_0010, binding: 0, type: 0, section: 1),
        .init(name: "_start", value: 0x8000_0000, binding: 1, type: 2, section: 1),
        .init(name: "tohost", value: 0x8000_1000, binding: 1, type: 1, section: 1),
        .init(name: "fromhost", value: 0x8000_1040, binding: 1, type: 1, section: 1),
        .init(name: "undefined_thing", value: 0, binding: 1, type: 0, section: 0),  // SHN_UNDEF
    ]

    /// Two loadable segments (listed data first, so sorting shows), a PT_NOTE, an empty
    /// PT_LOAD, physical addresses different from virtual ones, and a .bss tail.
    static func good(symbols: [TestELFWriter.Symbol]? = Samples.symbols) -> TestELFWriter {
        var writer = TestELFWriter()
        writer.entry = 0x8000_0000
        writer.segments = [
            .init(flags: 6, virtualAddress: 0xFFFF_FFFF_8000_1000, physicalAddress: 0x8000_1000,
                  bytes: dataBytes, memorySize: 0x1000),
            .init(type: 4, flags: 4, virtualAddress: 0, physicalAddress: 0,
                  bytes: [1, 2, 3, 4], memorySize: 0),  // PT_NOTE
            .init(flags: 6, virtualAddress: 0x8800_0000, physicalAddress: 0x8800_0000,
                  bytes: [], memorySize: 0),  // empty PT_LOAD
            .init(flags: 5, virtualAddress: 0xFFFF_FFFF_8000_0000, physicalAddress: 0x8000_0000,
                  bytes: textBytes, memorySize: 0x40),
        ]
        writer.symbols = symbols
        return writer
    }

    static func segment(physical: UInt64, size: UInt64, bytes: [UInt8] = [0x13, 0, 0, 0])
        -> TestELFWriter.Segment
    {
        .init(flags: 5, virtualAddress: physical, physicalAddress: physical,
              bytes: bytes, memorySize: size)
    }

    /// A fresh directory, removed after `body`.
    static func withScratchDirectory<T>(_ body: (URL) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("vireo-elf-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try body(directory)
    }

    static func hex(_ value: Int) -> String {
        "0x" + String(value, radix: 16)
    }
}
