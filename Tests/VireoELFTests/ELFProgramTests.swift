import TestSupport
import Foundation
import Testing
@testable import VireoELF

@Suite("Reading good executables")
struct ELFProgramTests {
    @Test func twoSegmentExecutable() throws {
        let program = try ELFProgram.parse(bytes: Samples.good().build(), path: "k.elf")
        #expect(program.path == "k.elf")
        #expect(program.entry == 0x8000_0000)
        #expect(program.segments.count == 2)
        #expect(program.segments.map(\.physicalAddress) == [0x8000_0000, 0x8000_1000])

        let text = program.segments[0]
        #expect(text.virtualAddress == 0xFFFF_FFFF_8000_0000)
        #expect(text.bytes == Samples.textBytes)
        #expect(text.memorySize == 0x40)
        #expect(text.readable && !text.writable && text.executable)

        let data = program.segments[1]
        #expect(data.physicalAddress == 0x8000_1000)
        #expect(data.virtualAddress == 0xFFFF_FFFF_8000_1000)
        #expect(data.bytes == Samples.dataBytes)
        #expect(data.memorySize == 0x1000)  // 0x20 file bytes, the rest is .bss
        #expect(data.readable && data.writable && !data.executable)
    }

    @Test func symbolsFound() throws {
        let program = try ELFProgram.parse(bytes: Samples.good().build(), path: "k.elf")
        #expect(program.symbol("tohost") == 0x8000_1000)
        #expect(program.symbol("fromhost") == 0x8000_1040)
        #expect(program.symbol("_start") == 0x8000_0000)
        #expect(program.symbol("loop") == 0x8000_0010)  // local symbols count too
        #expect(program.symbol("crt.S") == nil)  // STT_FILE
        #expect(program.symbol("undefined_thing") == nil)  // SHN_UNDEF
        #expect(program.symbol("missing") == nil)
        #expect(program.symbols.keys.sorted() == ["_start", "fromhost", "loop", "tohost"])
    }

    @Test func strippedFileHasNoSymbols() throws {
        let program = try ELFProgram.parse(bytes: Samples.good(symbols: nil).build(), path: "s.elf")
        #expect(program.symbols.isEmpty)
        #expect(program.symbol("tohost") == nil)
        #expect(program.segments.count == 2)
    }

    @Test func globalSymbolWinsOverLocalOfSameName() throws {
        let symbols: [TestELFWriter.Symbol] = [
            .init(name: "tohost", value: 0x1111, binding: 0),
            .init(name: "tohost", value: 0x8000_1000, binding: 1),
            .init(name: "helper", value: 0x2222, binding: 0),
            .init(name: "helper", value: 0x3333, binding: 0),
        ]
        let program = try ELFProgram.parse(bytes: Samples.good(symbols: symbols).build(), path: "k.elf")
        #expect(program.symbol("tohost") == 0x8000_1000)
        #expect(program.symbol("helper") == 0x2222)  // first of equal rank
    }

    @Test func brokenSectionHeaderTableIsIgnored() throws {
        var writer = Samples.good()
        writer.sectionHeaderOffsetOverride = 0xFFFF_FFFF_0000
        let program = try ELFProgram.parse(bytes: writer.build(), path: "k.elf")
        #expect(program.segments.count == 2)
        #expect(program.symbols.isEmpty)
    }

    @Test(arguments: [
        (UInt32?.some(0), UInt64?.none, UInt64?.none),  // link to the null section
        (UInt32?.some(99), nil, nil),  // link to no section at all
        (UInt32?.some(1), nil, nil),  // link to .text, not a string table
        (nil, UInt64?.some(0xFFFF_FFF0), nil),  // symbols past the end of the file
        (nil, nil, UInt64?.some(0xFFFF_FFFF_FFFF_FF00)),  // absurd size
        (nil, nil, UInt64?.some(23)),  // less than one symbol
    ])
    func brokenSymbolTableIsSkipped(link: UInt32?, offset: UInt64?, size: UInt64?) throws {
        var writer = Samples.good()
        writer.symtabLinkOverride = link
        writer.symtabOffsetOverride = offset
        writer.symtabSizeOverride = size
        let program = try ELFProgram.parse(bytes: writer.build(), path: "k.elf")
        #expect(program.segments.count == 2)
        #expect(program.symbol("tohost") == nil)
    }

    @Test func readsFromDisk() throws {
        try Samples.withScratchDirectory { directory in
            let file = directory.appendingPathComponent("k.elf")
            let bytes = Samples.good().build()
            try Data(bytes).write(to: file)
            let program = try ELFProgram.read(path: file.path)
            #expect(program == (try ELFProgram.parse(bytes: bytes, path: file.path)))
            #expect(program.symbol("tohost") == 0x8000_1000)
        }
    }

    @Test func publicInitializersBuildAProgram() {
        let segment = ELFSegment(
            physicalAddress: 0x8000_0000, virtualAddress: 0x8000_0000, bytes: [1, 2],
            memorySize: 4, readable: true, writable: false, executable: true)
        let program = ELFProgram(path: "p", entry: 0x8000_0000, segments: [segment], symbols: ["a": 1])
        #expect(program.symbol("a") == 1)
        #expect(program.segments == [segment])
    }
}
