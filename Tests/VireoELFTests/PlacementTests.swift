import Testing
import VireoELF

@Suite("Checking that segments fit the board's memory")
struct PlacementTests {
    static let regions = [
        MemoryRegion(name: "DRAM", base: 0x8000_0000, size: 0x1000_0000),
        MemoryRegion(name: "ROM", base: 0x1000, size: 0x1000),
    ]

    func program(_ ranges: [(UInt64, UInt64)]) -> ELFProgram {
        ELFProgram(path: "k.elf", entry: ranges.first?.0 ?? 0, segments: ranges.map { start, size in
            ELFSegment(physicalAddress: start, virtualAddress: start, bytes: [], memorySize: size,
                       readable: true, writable: true, executable: false)
        })
    }

    @Test func parsedProgramFits() throws {
        let parsed = try ELFProgram.parse(bytes: Samples.good().build(), path: "k.elf")
        #expect(placementError(parsed, Self.regions) == nil)
    }

    @Test func segmentsInsideRegionsFit() {
        let fitting = program([(0x1000, 0x1000), (0x8000_0000, 0x100), (0x8FFF_F000, 0x1000)])
        #expect(placementError(fitting, Self.regions) == nil)
    }

    @Test func outsideMemory() {
        let error = placementError(program([(0x9000_0000, 0x1000)]), Self.regions)
        #expect(error?.reason == .outsideMemory(
            0x9000_0000, 0x9000_1000, "DRAM 0x80000000-0x90000000, ROM 0x1000-0x2000"))
        #expect(error?.description == "k.elf: segment 0x90000000-0x90001000 lies outside memory "
            + "(DRAM 0x80000000-0x90000000, ROM 0x1000-0x2000)")
    }

    @Test func straddlingTheEndOfARegion() {
        let error = placementError(program([(0x8000_0000, 0x10), (0x8FFF_F000, 0x2000)]), Self.regions)
        #expect(error?.reason == .outsideMemory(
            0x8FFF_F000, 0x9000_1000, "DRAM 0x80000000-0x90000000, ROM 0x1000-0x2000"))
        // Below the start of a region.
        #expect(placementError(program([(0xF00, 0x200)]), Self.regions) != nil)
    }

    @Test func straddlingTwoAdjacentRegionsDoesNotFit() {
        let adjacent = [
            MemoryRegion(name: "A", base: 0x1000, size: 0x1000),
            MemoryRegion(name: "B", base: 0x2000, size: 0x1000),
        ]
        #expect(placementError(program([(0x1800, 0x1000)]), adjacent)?.reason
            == .outsideMemory(0x1800, 0x2800, "A 0x1000-0x2000, B 0x2000-0x3000"))
    }

    @Test func regionAtTheTopOfTheAddressSpace() {
        let top = [MemoryRegion(name: "TOP", base: 0xFFFF_FFFF_FFFF_0000, size: 0x1_0000)]
        #expect(placementError(program([(0xFFFF_FFFF_FFFF_F000, 0x1000)]), top) == nil)
        #expect(placementError(program([(0xFFFF_FFFF_FFFF_F000, 0x2000)]), top)?.reason
            == .outsideMemory(0xFFFF_FFFF_FFFF_F000, UInt64.max,
                              "TOP 0xffffffffffff0000-0x10000000000000000"))
    }

    @Test func noRegions() {
        #expect(placementError(program([(0x8000_0000, 0x10)]), [])?.reason
            == .outsideMemory(0x8000_0000, 0x8000_0010, "no memory regions"))
    }
}
