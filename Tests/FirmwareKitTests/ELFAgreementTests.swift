import TestSupport
import FirmwareKit
import Foundation
import Testing
import VireoELF

/// FirmwareKit's bare-metal ELF parser against the host loader (VireoELF, libelf): for every
/// file both accept or both refuse, and when both accept they agree on the entry point and on
/// every PT_LOAD segment.
///
/// The one category where they differ on purpose: `e_phnum == PN_XNUM` (0xFFFF) with the real
/// count in section 0's sh_info. libelf follows the escape; FirmwareKit refuses it
/// (`badProgramHeaders`), because no firmware or kernel image has 65,535 program headers and
/// following it would mean trusting the section header table too. `xnumIsTheOnlyDifference`
/// pins that down; the fuzz runs treat such files as an expected difference.
@Suite("ELF: FirmwareKit agrees with the libelf loader")
struct ELFAgreementTests {
    typealias FirmwareError = FirmwareKit.ELFError

    /// FirmwareKit's verdict.
    static func firmware(_ bytes: [UInt8]) -> Result<ELFImage, FirmwareError> {
        bytes.withUnsafeBytes { buffer in
            do throws(FirmwareError) {
                return .success(try ELFImage(buffer))
            } catch {
                return .failure(error)
            }
        }
    }

    /// The host loader's verdict.
    static func host(_ bytes: [UInt8]) -> ELFProgram? {
        try? ELFProgram.parse(bytes: bytes, path: "test.elf")
    }

    /// True when the file uses the PN_XNUM escape (where the two loaders may differ).
    static func usesXNUM(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 58 && bytes[56] == 0xFF && bytes[57] == 0xFF
    }

    /// Checks agreement and returns FirmwareKit's verdict. `allowXNUM` lets a file using the
    /// PN_XNUM escape be refused by FirmwareKit alone.
    @discardableResult
    static func agree(
        _ bytes: [UInt8], _ label: String, allowXNUM: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Result<ELFImage, FirmwareError> {
        let mine = firmware(bytes)
        let theirs = host(bytes)
        switch (mine, theirs) {
        case (.success(let image), let program?):
            #expect(image.entry == program.entry, "\(label): entry", sourceLocation: sourceLocation)
            // The host loader sorts by physical address; FirmwareKit keeps file order.
            let sorted = image.segments.sorted { ($0.physicalAddress, $0.memorySize) < ($1.physicalAddress, $1.memorySize) }
            #expect(sorted.count == program.segments.count, "\(label): segment count", sourceLocation: sourceLocation)
            for (segment, hostSegment) in zip(sorted, program.segments) {
                // VireoELF keeps the file bytes rather than p_offset: comparing the bytes at
                // p_offset checks the offset and p_filesz together.
                let start = Int(segment.fileOffset), end = start + Int(segment.fileSize)
                #expect(Array(bytes[start..<end]) == hostSegment.bytes, "\(label): segment bytes", sourceLocation: sourceLocation)
                #expect(segment.physicalAddress == hostSegment.physicalAddress, "\(label): paddr", sourceLocation: sourceLocation)
                #expect(segment.virtualAddress == hostSegment.virtualAddress, "\(label): vaddr", sourceLocation: sourceLocation)
                #expect(segment.fileSize == UInt64(hostSegment.bytes.count), "\(label): filesz", sourceLocation: sourceLocation)
                #expect(segment.memorySize == hostSegment.memorySize, "\(label): memsz", sourceLocation: sourceLocation)
                #expect((segment.flags & 1 != 0) == hostSegment.executable, "\(label): PF_X", sourceLocation: sourceLocation)
                #expect((segment.flags & 2 != 0) == hostSegment.writable, "\(label): PF_W", sourceLocation: sourceLocation)
                #expect((segment.flags & 4 != 0) == hostSegment.readable, "\(label): PF_R", sourceLocation: sourceLocation)
            }
            let range = image.physicalRange
            #expect(range.lowest == program.segments.map(\.physicalAddress).min(), "\(label): range", sourceLocation: sourceLocation)
            #expect(range.end == program.segments.map { $0.physicalAddress + $0.memorySize }.max(), "\(label): range", sourceLocation: sourceLocation)
        case (.failure, nil):
            break
        case (.failure(let error), _?):
            let excused = allowXNUM && usesXNUM(bytes) && error == .badProgramHeaders
            #expect(excused, "\(label): FirmwareKit refuses (\(error.reason)) what libelf accepts", sourceLocation: sourceLocation)
        case (.success, nil):
            var why = ""
            do throws(VireoELF.ELFError) {
                _ = try ELFProgram.parse(bytes: bytes, path: "test.elf")
            } catch {
                why = error.description
            }
            Issue.record("\(label): FirmwareKit accepts what libelf refuses (\(why))", sourceLocation: sourceLocation)
        }
        return mine
    }

    static func refusal(_ writer: TestELFWriter, _ label: String) -> FirmwareError? {
        if case .failure(let error) = agree(writer.build(), label) { return error }
        return nil
    }

    // MARK: Real files

    @Test func everyELFTheRepositoryBuilds() throws {
        let files = Repo.builtELFs
        guard !files.isEmpty else {
            print("FirmwareKitTests: no .build-riscv/**/*.elf (run tools/build-riscv.sh programs demo); skipped")
            return
        }
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: file))
            let verdict = Self.agree(bytes, file.lastPathComponent)
            if case .failure(let error) = verdict {
                Issue.record("\(file.path): refused: \(error.reason)")
            }
        }
    }

    /// One real file cut at many lengths: every length through the headers, then a stride.
    @Test func truncatedRealFile() throws {
        guard let file = Repo.builtELFs.first else { return }
        let bytes = [UInt8](try Data(contentsOf: file))
        var lengths = Array(0..<min(bytes.count, 1024))
        lengths += Array(stride(from: 1024, to: bytes.count, by: 61))
        for length in lengths {
            Self.agree(Array(bytes.prefix(length)), "\(file.lastPathComponent)[..<\(length)]")
        }
    }

    @Test func mutatedRealFiles() throws {
        let files = Repo.builtELFs
        guard !files.isEmpty else { return }
        var random = SplitMix64(seed: 0x4657_4B49_5452_4541)
        var outcomes = [0, 0]
        for round in 0..<300 {
            let file = files[round % files.count]
            let bytes = [UInt8](try Data(contentsOf: file))
            let mutant = mutate(bytes, hot: 64 + 56 * 8, round: round, using: &random)
            if case .success = Self.agree(mutant, "\(file.lastPathComponent) mutant \(round)") {
                outcomes[1] += 1
            } else {
                outcomes[0] += 1
            }
        }
        #expect(outcomes[0] > 0 && outcomes[1] > 0, "refused/accepted: \(outcomes)")
    }

    // MARK: Crafted files

    @Test func goodFile() throws {
        let bytes = TestELFWriter.good().build()
        let image = try Self.agree(bytes, "good").get()
        #expect(image.entry == 0x8000_0004)
        #expect(image.segments.count == 2)
        #expect(image.segments[0] == ELFSegment(
            virtualAddress: 0xFFFF_FFFF_8000_0000, physicalAddress: 0x8000_0000,
            fileOffset: 0xF0, fileSize: 0x48, memorySize: 0x48, flags: 5))
        #expect(image.segments[1] == ELFSegment(
            virtualAddress: 0xFFFF_FFFF_8000_2000, physicalAddress: 0x8000_2000,
            fileOffset: 0x140, fileSize: 0x20, memorySize: 0x1000, flags: 6))
        #expect(image.physicalRange.lowest == 0x8000_0000)
        #expect(image.physicalRange.end == 0x8000_3000)
        #expect(bytes.count == 0x160)
    }

    @Test func everyTruncationOfTheGoodFile() {
        let bytes = TestELFWriter.good().build()
        for length in 0..<bytes.count {
            let verdict = Self.agree(Array(bytes.prefix(length)), "good[..<\(length)]")
            guard case .failure(let error) = verdict else {
                Issue.record("good[..<\(length)] accepted")
                continue
            }
            let expected: FirmwareError
            switch length {
            case 0: expected = .notELF
            case 1..<64: expected = .truncated
            case 64..<232: expected = .badProgramHeaders  // the table ends at 64 + 3 * 56
            default: expected = .segmentOutsideFile
            }
            #expect(error == expected, "length \(length): \(error.reason)")
        }
    }

    @Test func identification() {
        var writer = TestELFWriter.good()
        var bytes = writer.build()
        bytes[1] = 0x46
        #expect(Self.firmware(bytes) == .failure(.notELF))
        Self.agree(bytes, "bad magic")
        Self.agree([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1], "ident cut short")
        #expect(Self.firmware([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1]) == .failure(.truncated))
        #expect(Self.firmware(Array("#!/bin/sh\n".utf8)) == .failure(.notELF))
        Self.agree(Array("#!/bin/sh\n".utf8), "script")

        writer = TestELFWriter.good()
        writer.is64 = false
        #expect(Self.refusal(writer, "32-bit") == .not64Bit)
        writer = TestELFWriter.good()
        writer.littleEndian = false
        #expect(Self.refusal(writer, "big-endian") == .notLittleEndian)
        for version: UInt8 in [0, 2, 0xFF] {
            writer = TestELFWriter.good()
            writer.identVersion = version
            #expect(Self.refusal(writer, "EI_VERSION \(version)") == .badVersion)
        }
        for elfClass: UInt8 in [0, 3, 0xFF] {
            bytes = TestELFWriter.good().build()
            bytes[4] = elfClass
            Self.agree(bytes, "EI_CLASS \(elfClass)")
            #expect(Self.firmware(bytes) == .failure(.not64Bit))
        }
        // e_version is not checked by libelf, nor by FirmwareKit.
        writer = TestELFWriter.good()
        writer.elfVersion = 0
        #expect(Self.refusal(writer, "e_version 0") == nil)
    }

    @Test func machineAndType() {
        for machine: UInt16 in [0, 62, 183, 0xFFFF] {
            var writer = TestELFWriter.good()
            writer.machine = machine
            #expect(Self.refusal(writer, "e_machine \(machine)") == .notRISCV)
        }
        for type: UInt16 in [0, 1, 3, 4, 0xFE00, 0xFFFF] {
            var writer = TestELFWriter.good()
            writer.fileType = type
            #expect(Self.refusal(writer, "e_type \(type)") == .notExecutable)
        }
    }

    @Test func programHeaderTable() {
        for size: UInt16 in [0, 32, 55, 57, 64, 0xFFFF] {
            var writer = TestELFWriter.good()
            writer.programHeaderEntrySizeOverride = size
            #expect(Self.refusal(writer, "e_phentsize \(size)") == .badProgramHeaders)
        }
        let length = UInt64(TestELFWriter.good().build().count)
        for offset: UInt64 in [length, length - 56 * 3 + 1, 0xFFFF_FFFF_FFFF_FFC0, UInt64.max, 1 << 63] {
            var writer = TestELFWriter.good()
            writer.programHeaderOffsetOverride = offset
            #expect(Self.refusal(writer, "e_phoff \(offset)") == .badProgramHeaders)
        }
        for count: UInt16 in [7, 100, 0xFFFE] {
            var writer = TestELFWriter.good()
            writer.programHeaderCountOverride = count
            #expect(Self.refusal(writer, "e_phnum \(count)") == .badProgramHeaders)
        }
        var writer = TestELFWriter.good()
        writer.programHeaderCountOverride = 0
        #expect(Self.refusal(writer, "e_phnum 0") == .noLoadableSegments)
        // A misaligned table is fine for both.
        writer = TestELFWriter.good()
        writer.segments[0].fileOffset = 0x200
        writer.segments[2].fileOffset = 0x300
        var bytes = writer.build()
        let table = Array(bytes[64..<232])
        bytes.replaceSubrange(0x101..<0x101 + table.count, with: table)
        bytes.replaceSubrange(32..<40, with: [0x01, 0x01, 0, 0, 0, 0, 0, 0])
        #expect((try? Self.agree(bytes, "misaligned table").get()) != nil)
    }

    /// PN_XNUM: libelf takes the count from section 0; FirmwareKit refuses. The only category
    /// where the two differ (see the suite's comment).
    @Test func xnumIsTheOnlyDifference() {
        var writer = TestELFWriter.good()
        writer.programHeaderCountOverride = 0xFFFF
        writer.sectionZeroInfo = 3
        let bytes = writer.build()
        #expect(Self.firmware(bytes) == .failure(.badProgramHeaders))
        #expect(Self.host(bytes)?.segments.count == 2)
        #expect(Self.agree(bytes, "PN_XNUM", allowXNUM: true) == .failure(.badProgramHeaders))
        // Without a usable section 0, both refuse.
        writer.sectionZeroInfo = nil
        #expect(Self.refusal(writer, "PN_XNUM without sections") == .badProgramHeaders)
        writer.sectionZeroInfo = 0
        #expect(Self.refusal(writer, "PN_XNUM, sh_info 0") == .badProgramHeaders)
    }

    @Test func segmentFileRanges() {
        let length = UInt64(TestELFWriter.good().build().count)
        for (offset, size) in [(length, UInt64(1)), (length - 0x1F, 0x20), (UInt64.max, 1),
                               (0xFFFF_FFFF_FFFF_FFF0, 0x20), (0x100, UInt64.max)] {
            var writer = TestELFWriter.good()
            writer.segments[2].offsetOverride = offset
            writer.segments[2].fileSizeOverride = size
            writer.segments[2].memorySize = max(size, 0x1000)
            #expect(Self.refusal(writer, "p_offset \(offset) p_filesz \(size)") == .segmentOutsideFile)
        }
        // Even a PT_LOAD with p_memsz == 0 must point inside the file (libelf checks it too).
        var writer = TestELFWriter.good()
        writer.segments.append(.init(virtualAddress: 0, physicalAddress: 0, bytes: [], memorySize: 0,
                                     fileSizeOverride: 8, offsetOverride: 1 << 40))
        #expect(Self.refusal(writer, "empty PT_LOAD beyond the file") == .segmentOutsideFile)
        // A non-PT_LOAD header beyond the file is ignored by both (as in good()).
        writer = TestELFWriter.good()
        writer.segments[1].type = 0x6474_E551  // PT_GNU_STACK
        #expect(Self.refusal(writer, "PT_GNU_STACK with garbage") == nil)
    }

    @Test func segmentSizes() {
        var writer = TestELFWriter.good()
        writer.segments[2].memorySize = 0x10
        #expect(Self.refusal(writer, "filesz > memsz") == .segmentSizes)
        writer = TestELFWriter.good()
        writer.segments.append(.init(virtualAddress: 0x9000_0000, physicalAddress: 0x9000_0000,
                                     bytes: [1, 2, 3, 4], memorySize: 0))
        #expect(Self.refusal(writer, "memsz 0 with file bytes") == .segmentSizes)
        for (physical, virtual, size) in [
            (UInt64.max, UInt64(0x1000), UInt64(0x20)), (0xFFFF_FFFF_FFFF_F000, 0x1000, 0x1000),
            (0x1000, 0xFFFF_FFFF_FFFF_FFF0, 0x20), (0x1000, 0x1000, UInt64.max),
        ] {
            writer = TestELFWriter.good()
            writer.segments[2].physicalAddress = physical
            writer.segments[2].virtualAddress = virtual
            writer.segments[2].memorySize = size
            #expect(Self.refusal(writer, "paddr \(physical) vaddr \(virtual) memsz \(size)") == .segmentSizes)
        }
        // Ending one byte below 2^64 is fine.
        writer = TestELFWriter.good()
        writer.segments[2].physicalAddress = 0xFFFF_FFFF_FFFF_F000
        writer.segments[2].memorySize = 0xFFF
        let image = try? Self.agree(writer.build(), "ends at 2^64 - 1").get()
        #expect(image?.physicalRange.lowest == 0x8000_0000)
        #expect(image?.physicalRange.end == UInt64.max)
    }

    @Test func overlaps() {
        let cases: [(String, [TestELFWriter.Segment], Bool)] = [
            ("partial", [TestELFWriter.segment(0x8000_0000, size: 0x100), TestELFWriter.segment(0x8000_00FF, size: 0x100)], true),
            ("same start", [TestELFWriter.segment(0x8000_0000, size: 0x100), TestELFWriter.segment(0x8000_0000, size: 0x10)], true),
            ("contained", [TestELFWriter.segment(0x8000_0000, size: 0x1000), TestELFWriter.segment(0x8000_0100, size: 0x10)], true),
            ("reverse order", [TestELFWriter.segment(0x8000_1000, size: 0x100), TestELFWriter.segment(0x8000_0000, size: 0x1001)], true),
            ("third with first", [TestELFWriter.segment(0x8000_0000, size: 0x100), TestELFWriter.segment(0x9000_0000, size: 0x100),
                                  TestELFWriter.segment(0x8000_0080, size: 0x100)], true),
            ("adjacent", [TestELFWriter.segment(0x8000_0000, size: 0x100), TestELFWriter.segment(0x8000_0100, size: 0x100)], false),
            ("apart, reversed", [TestELFWriter.segment(0x8000_1000, size: 0x100), TestELFWriter.segment(0x8000_0000, size: 0x100)], false),
        ]
        for (label, segments, overlapping) in cases {
            var writer = TestELFWriter()
            writer.segments = segments
            #expect(Self.refusal(writer, label) == (overlapping ? .overlappingSegments : nil), "\(label)")
        }
        // Only physical addresses count: the same virtual range twice is fine.
        var writer = TestELFWriter()
        writer.segments = [TestELFWriter.segment(0x8000_0000, size: 0x100), TestELFWriter.segment(0x8000_1000, size: 0x100)]
        writer.segments[1].virtualAddress = 0x8000_0000
        #expect(Self.refusal(writer, "virtual overlap only") == nil)
        // An empty PT_LOAD inside another segment is ignored.
        writer.segments.append(.init(virtualAddress: 0, physicalAddress: 0x8000_0010, bytes: [], memorySize: 0))
        #expect(Self.refusal(writer, "empty inside") == nil)
    }

    @Test func noLoadableSegments() {
        var writer = TestELFWriter()
        writer.segments = [.init(type: 4, virtualAddress: 0, physicalAddress: 0, bytes: [1, 2, 3, 4], memorySize: 4)]
        #expect(Self.refusal(writer, "PT_NOTE only") == .noLoadableSegments)
        writer.segments = [.init(virtualAddress: 0x8000_0000, physicalAddress: 0x8000_0000, bytes: [], memorySize: 0)]
        #expect(Self.refusal(writer, "empty PT_LOAD only") == .noLoadableSegments)
    }

    @Test func brokenSectionHeadersDoNotMatter() {
        for (offset, count) in [(UInt64.max, UInt16(5)), (0x1_0000, 3), (0x10, 0xFFFF)] {
            var writer = TestELFWriter.good()
            writer.sectionHeaderOffsetOverride = offset
            writer.sectionHeaderCountOverride = count
            #expect(Self.refusal(writer, "e_shoff \(offset) e_shnum \(count)") == nil)
        }
    }

    @Test func everyReasonIsAPhrase() {
        let all: [FirmwareError] = [.truncated, .notELF, .not64Bit, .notLittleEndian, .badVersion, .notRISCV,
                                    .notExecutable, .badProgramHeaders, .segmentOutsideFile, .segmentSizes,
                                    .overlappingSegments, .noLoadableSegments]
        let phrases = Set(all.map { $0.reason.description })
        #expect(phrases.count == all.count)
        #expect(phrases.allSatisfy { !$0.isEmpty && $0.count < 48 })
    }

    // MARK: Fuzzing

    @Test func mutatedGoodFile() {
        var random = SplitMix64(seed: 0x4649_524D_454C_4630)
        let good = TestELFWriter.good().build()
        var outcomes = [0, 0]
        for round in 0..<500 {
            let mutant = mutate(good, hot: 232, round: round, using: &random)
            if case .success = Self.agree(mutant, "good mutant \(round)") {
                outcomes[1] += 1
            } else {
                outcomes[0] += 1
            }
        }
        #expect(outcomes[0] > 0 && outcomes[1] > 0, "refused/accepted: \(outcomes)")
    }

    /// Every 2-, 4- and 8-byte aligned field of the ELF header and program headers set to
    /// all zeros, all ones, and 0x7F...
    @Test func extremeFields() {
        let good = TestELFWriter.good().build()
        for width in [2, 4, 8] {
            for offset in stride(from: 16, through: 232 - width, by: width) {
                for fill: UInt8 in [0x00, 0xFF, 0x7F] {
                    var bytes = good
                    for index in offset..<offset + width { bytes[index] = fill }
                    Self.agree(bytes, "bytes \(offset)..<\(offset + width) = \(fill)")
                }
            }
        }
    }
}

extension Result where Success == ELFImage, Failure == FirmwareKit.ELFError {
    static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.failure(let a), .failure(let b)): return a == b
        case (.success(let a), .success(let b)): return a.entry == b.entry && a.segments == b.segments
        default: return false
        }
    }
}

/// The files the agreement tests start from (TestSupport's writer).
extension TestELFWriter {
    /// Two code/data segments with different virtual and physical addresses, a PT_NOTE with
    /// a garbage offset (ignored by both loaders) and a .bss tail. The file ends with the
    /// last segment's data, so every strict prefix of it is damaged.
    static func good() -> TestELFWriter {
        var writer = TestELFWriter()
        writer.entry = 0x8000_0004
        writer.segments = [
            .init(flags: 5, virtualAddress: 0xFFFF_FFFF_8000_0000, physicalAddress: 0x8000_0000,
                  bytes: (0..<0x48).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }, memorySize: 0x48),
            .init(type: 4, flags: 4, virtualAddress: 0, physicalAddress: 0, bytes: [],
                  memorySize: 0, fileSizeOverride: 0x10, offsetOverride: 0xFFFF_FFFF_FFFF_FF00),  // PT_NOTE
            .init(flags: 6, virtualAddress: 0xFFFF_FFFF_8000_2000, physicalAddress: 0x8000_2000,
                  bytes: (0..<0x20).map { UInt8(0xA0 + $0) }, memorySize: 0x1000),
        ]
        return writer
    }

    /// A PT_LOAD (R+X) at `physical` (virtual = physical) of `size` memory bytes.
    static func segment(_ physical: UInt64, size: UInt64, bytes: [UInt8] = [0x13, 0, 0, 0]) -> Segment {
        .init(virtualAddress: physical, physicalAddress: physical, bytes: bytes, memorySize: size)
    }
}
