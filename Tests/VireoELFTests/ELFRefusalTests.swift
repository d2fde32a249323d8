import TestSupport
import Foundation
import Testing
@testable import VireoELF

@Suite("Refusing files the board cannot run")
struct ELFRefusalTests {
    // MARK: Opening

    @Test func missingFile() throws {
        try Samples.withScratchDirectory { directory in
            let path = directory.appendingPathComponent("nothing.elf").path
            let error = readError(path)
            #expect(error?.reason == .cannotOpen("No such file or directory"))
            #expect(error?.description == "\(path): cannot open: No such file or directory")
        }
    }

    @Test func directory() throws {
        try Samples.withScratchDirectory { directory in
            let error = readError(directory.path)
            #expect(error?.reason == .cannotOpen("Is a directory"))
            #expect(error?.path == directory.path)
        }
    }

    @Test func unreadableFile() throws {
        // root can read anything, so only meaningful for other users.
        guard getuid() != 0 else { return }
        try Samples.withScratchDirectory { directory in
            let file = directory.appendingPathComponent("secret.elf")
            try Data(Samples.good().build()).write(to: file)
            try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: file.path)
            #expect(readError(file.path)?.reason == .cannotOpen("Permission denied"))
        }
    }

    @Test func emptyFile() throws {
        try Samples.withScratchDirectory { directory in
            let file = directory.appendingPathComponent("empty.elf")
            try Data().write(to: file)
            let error = readError(file.path)
            #expect(error?.reason == .notELF)
            #expect(error?.description == "\(file.path): not an ELF file (no \\x7fELF magic)")
        }
    }

    @Test func randomText() {
        let text = Array("#!/bin/sh\necho this is not an executable for a board\n".utf8)
        let error = parseError(text, path: "bad.elf")
        #expect(error?.reason == .notELF)
        #expect(error?.description == "bad.elf: not an ELF file (no \\x7fELF magic)")
        #expect(parseError([0x7F, 0x45, 0x4C], path: "bad.elf")?.reason == .notELF)
    }

    // MARK: Wrong kind of ELF

    @Test func elf32() {
        var writer = Samples.good(symbols: nil)
        writer.is64 = false
        writer.segments = [Samples.segment(physical: 0x8000_0000, size: 0x100)]
        let error = parseError(writer.build(), path: "x.elf")
        #expect(error?.reason == .notRISCV64("32-bit RISC-V (ELFCLASS32)"))
        #expect(error?.description == "x.elf: not a RISC-V 64-bit executable: 32-bit RISC-V (ELFCLASS32)")
    }

    @Test func bigEndian() {
        var writer = Samples.good(symbols: nil)
        writer.littleEndian = false
        #expect(parseError(writer.build())?.reason == .notRISCV64("big-endian RISC-V (ELFDATA2MSB)"))

        writer.machine = 21  // EM_PPC64
        #expect(parseError(writer.build())?.reason
            == .notRISCV64("big-endian PowerPC64 (ELFDATA2MSB, EM_PPC64)"))
    }

    @Test func otherMachines() {
        var writer = Samples.good()
        writer.machine = 62
        let error = parseError(writer.build(), path: "x.elf")
        #expect(error?.reason == .notRISCV64("x86-64 (EM_X86_64)"))
        #expect(error?.description == "x.elf: not a RISC-V 64-bit executable: x86-64 (EM_X86_64)")

        writer.machine = 183
        #expect(parseError(writer.build())?.reason == .notRISCV64("AArch64 (EM_AARCH64)"))
        writer.machine = 0x7777
        #expect(parseError(writer.build())?.reason
            == .notRISCV64("unknown machine (e_machine = 30583)"))
    }

    @Test func relocatableObject() {
        var writer = Samples.good()
        writer.fileType = 1
        let error = parseError(writer.build(), path: "m.o")
        #expect(error?.reason == .notExecutable("relocatable object (ET_REL)"))
        #expect(error?.description == "m.o: not an executable: relocatable object (ET_REL)")
    }

    @Test func sharedObject() {
        var writer = Samples.good()
        writer.fileType = 3
        #expect(parseError(writer.build())?.reason == .notExecutable("shared object (ET_DYN)"))
        writer.fileType = 4
        #expect(parseError(writer.build())?.reason == .notExecutable("core dump (ET_CORE)"))
    }

    // MARK: Truncation

    @Test func truncatedHeader() {
        let bytes = Samples.good().build()
        let error = parseError(Array(bytes.prefix(40)), path: "t.elf")
        #expect(error?.reason == .truncated("the ELF header needs 64 bytes but the file has 40 bytes"))
        #expect(error?.description == "t.elf: truncated: the ELF header needs 64 bytes but the file has 40 bytes")
        #expect(parseError(Array(bytes.prefix(10)))?.reason
            == .truncated("the ELF identification needs 16 bytes but the file has 10 bytes"))
    }

    @Test func programHeaderTablePastEndOfFile() {
        // The table starts inside the file but its second entry is cut off.
        let bytes = Array(Samples.good(symbols: nil).build().prefix(64 + 56 + 10))
        #expect(parseError(bytes)?.reason == .truncated(
            "the program header table needs file bytes 0x40-0x120 but the file has 0x82 bytes"))

        // The table starts beyond the end of the file.
        var writer = Samples.good()
        writer.programHeaderOffsetOverride = 0x10000
        let full = writer.build()
        #expect(parseError(full)?.reason == .truncated(
            "the program header table needs file bytes 0x10000-0x100e0 but the file has "
            + "\(Samples.hex(full.count)) bytes"))
    }

    @Test func segmentDataPastEndOfFile() {
        var writer = TestELFWriter()
        writer.segments = [
            Samples.segment(physical: 0x8000_0000, size: 0x1000),
            .init(flags: 6, virtualAddress: 0x8000_1000, physicalAddress: 0x8000_1000,
                  bytes: [UInt8](repeating: 0x55, count: 0x2000), memorySize: 0x2000,
                  fileOffset: 0x1000),
        ]
        let bytes = Array(writer.build().prefix(0x1800))
        let error = parseError(bytes, path: "t.elf")
        #expect(error?.description
            == "t.elf: truncated: segment 1 needs file bytes 0x1000-0x3000 but the file has 0x1800 bytes")
    }

    // MARK: Bad segments

    @Test func fileSizeLargerThanMemorySize() {
        var writer = TestELFWriter()
        writer.segments = [Samples.segment(physical: 0x8000_0000, size: 0x80,
                                           bytes: [UInt8](repeating: 1, count: 0x100))]
        #expect(parseError(writer.build(), path: "k.elf")?.description
            == "k.elf: malformed ELF: segment 0 has more file bytes (0x100) than memory bytes (0x80)")
    }

    @Test func overlappingSegments() {
        var writer = TestELFWriter()
        writer.segments = [
            Samples.segment(physical: 0x8000_1000, size: 0x2000),
            Samples.segment(physical: 0x8000_0000, size: 0x2000),
        ]
        let error = parseError(writer.build(), path: "k.elf")
        #expect(error?.reason == .overlappingSegments(0x8000_0000, 0x8000_1000))
        #expect(error?.description == "k.elf: segment at 0x80000000 overlaps segment at 0x80001000")

        // One segment inside another, with a disjoint one between them in file order.
        writer.segments = [
            Samples.segment(physical: 0x8000_0000, size: 0x10000),
            Samples.segment(physical: 0x9000_0000, size: 0x100),
            Samples.segment(physical: 0x8000_4000, size: 0x100),
        ]
        #expect(parseError(writer.build())?.reason == .overlappingSegments(0x8000_0000, 0x8000_4000))

        // Touching is not overlapping.
        writer.segments = [
            Samples.segment(physical: 0x8000_1000, size: 0x1000),
            Samples.segment(physical: 0x8000_0000, size: 0x1000),
        ]
        #expect(parseError(writer.build()) == nil)
    }

    @Test func noLoadableSegments() {
        var writer = TestELFWriter()
        writer.segments = [.init(type: 4, flags: 4, virtualAddress: 0, physicalAddress: 0,
                                 bytes: [1, 2, 3, 4], memorySize: 0)]  // PT_NOTE only
        let error = parseError(writer.build(), path: "n.elf")
        #expect(error?.reason == .noLoadableSegments)
        #expect(error?.description
            == "n.elf: no loadable segments (no PT_LOAD program header with a non-zero memory size)")

        writer.segments = [Samples.segment(physical: 0x8000_0000, size: 0, bytes: [])]
        #expect(parseError(writer.build())?.reason == .noLoadableSegments)

        writer.segments = []
        #expect(parseError(writer.build())?.reason == .noLoadableSegments)
    }

    @Test func addressOverflow() {
        var writer = TestELFWriter()
        writer.segments = [Samples.segment(physical: 0xFFFF_FFFF_FFFF_F000, size: 0x2000)]
        #expect(parseError(writer.build())?.reason == .malformed(
            "segment 0 at physical address 0xfffffffffffff000 with memory size 0x2000 "
            + "runs past the end of the 64-bit address space"))

        // Ending exactly at the top of the address space overflows too.
        writer.segments = [Samples.segment(physical: 0xFFFF_FFFF_FFFF_F000, size: 0x1000)]
        #expect(parseError(writer.build())?.reason != nil)
    }

    @Test func fileRangeOverflow() {
        var writer = TestELFWriter()
        var segment = Samples.segment(physical: 0x8000_0000, size: UInt64.max)
        segment.fileOffset = 0x80
        segment.fileSizeOverride = UInt64.max - 0x10
        writer.segments = [segment]
        #expect(parseError(writer.build())?.reason == .malformed(
            "segment 0 file range (offset 0x80, size 0xffffffffffffffef) runs past the 64-bit range"))
    }

    @Test func badProgramHeaderEntrySize() {
        var writer = Samples.good()
        writer.programHeaderEntrySizeOverride = 32
        #expect(parseError(writer.build())?.reason
            == .malformed("program header entries are 32 bytes, ELF64 needs 56"))
    }

    @Test func badIdentification() {
        var bytes = Samples.good().build()
        bytes[4] = 3
        #expect(parseError(bytes)?.reason == .malformed("unknown ELF class 3 (EI_CLASS)"))
        bytes[4] = 2
        bytes[5] = 0
        #expect(parseError(bytes)?.reason == .malformed("unknown data encoding 0 (EI_DATA)"))
        bytes[5] = 1
        bytes[6] = 2
        #expect(parseError(bytes)?.reason == .malformed("unknown ELF version 2 (EI_VERSION)"))
    }
}
