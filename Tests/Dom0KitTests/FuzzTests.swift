import Dom0Kit
import TestSupport
import Testing

/// Random damage never traps: the tar reader, the configuration parser, the word splitter
/// and the line editor either succeed with consistent results or report an error.
@Suite("Fuzz: hostile input never traps")
struct FuzzTests {
    /// An archive using every header kind the reader knows.
    static func sampleArchive() -> [UInt8] {
        var writer = TarWriter()
        writer.add(TarWriter.Entry(name: "pax_global_header", data: TarWriter.paxRecord("comment", "hi"), typeflag: 0x67))
        writer.file("hello.elf", pattern(1500, seed: 21))
        writer.add(TarWriter.Entry(name: "file.cfg", data: Array("memory = 64\n".utf8), prefix: "guests"))
        writer.gnuLongName(String(repeating: "L", count: 150), data: pattern(600, seed: 22))
        writer.add(TarWriter.Entry(name: "././@LongLink", data: Array(String(repeating: "K", count: 130).utf8) + [0],
                                   typeflag: 0x4B, magic: .gnu))
        writer.add(TarWriter.Entry(name: "sym", typeflag: 0x32, magic: .gnu))
        writer.add(TarWriter.Entry(name: "PaxHeaders/x",
                                   data: TarWriter.paxRecord("path", "pax/" + String(repeating: "P", count: 120))
                                       + TarWriter.paxRecord("size", "700"),
                                   typeflag: 0x78))
        writer.file("ignored-name", pattern(700, seed: 23))
        writer.add(TarWriter.Entry(name: "dir/", typeflag: 0x35))
        var binary = TarWriter.Entry(name: "b256", data: pattern(40, seed: 24))
        binary.rawSize = [0x80] + [UInt8](repeating: 0, count: 10) + [40]
        writer.add(binary)
        return writer.bytes()
    }

    /// The verdict through the block-reader interface.
    static func readThroughBlocks(_ bytes: [UInt8]) -> Result<TarArchive, TarError> {
        bytes.withUnsafeBytes { buffer in
            do throws(TarError) {
                return .success(try TarArchive(byteCount: UInt64(buffer.count)) { index in
                    guard index < UInt64(Int.max / 512) else { return nil }
                    let start = Int(index) * 512
                    guard start < buffer.count else { return nil }
                    return UnsafeRawBufferPointer(rebasing: buffer[start..<min(start + 512, buffer.count)])
                })
            } catch {
                return .failure(error)
            }
        }
    }

    static func mutate(_ bytes: [UInt8], round: Int, using random: inout SplitMix64) -> [UInt8] {
        var copy = bytes
        let blocks = copy.count / 512
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            // Mostly header bytes: the first 512 of a random block; sometimes anywhere.
            let block = Int.random(in: 0..<blocks, using: &random)
            let index = round % 3 == 0
                ? Int.random(in: 0..<copy.count, using: &random)
                : block * 512 + Int.random(in: 0..<512, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0: copy[index] = 0xFF
            case 1: copy[index] = 0
            case 2: copy[index] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
            case 3: copy[index] = UInt8.random(in: 0x30...0x39, using: &random)  // digits: valid-looking numbers
            case 4:
                // A random size field with a fixed checksum, so the damage gets past the checksum.
                let header = block * 512
                let kind = Int.random(in: 0..<3, using: &random)
                for i in 0..<12 {
                    switch kind {
                    case 0: copy[header + 124 + i] = i == 11 ? 0 : UInt8.random(in: 0x30...0x37, using: &random)
                    case 1: copy[header + 124 + i] = i == 0 ? 0x80 : UInt8.random(in: 0...255, using: &random)
                    default: copy[header + 124 + i] = UInt8.random(in: 0...255, using: &random)
                    }
                }
                fixChecksum(&copy, header: header)
            default:
                copy[index] = UInt8.random(in: 0...255, using: &random)
                fixChecksum(&copy, header: block * 512)
            }
        }
        if Int.random(in: 0..<3, using: &random) == 0 {
            copy = Array(copy.prefix(Int.random(in: 0...copy.count, using: &random)))
        }
        return copy
    }

    static func fixChecksum(_ bytes: inout [UInt8], header: Int) {
        guard header + 512 <= bytes.count else { return }
        for i in 148..<156 { bytes[header + i] = 0x20 }
        let sum = bytes[header..<(header + 512)].reduce(0) { $0 + Int($1) }
        let field = TarWriter.octal(UInt64(sum), width: 7) + [0x20]
        for (i, b) in field.enumerated() { bytes[header + 148 + i] = b }
    }

    @Test("2000 mutations of a valid archive: no trap, both interfaces agree, data in bounds")
    func tarMutations() throws {
        let original = Self.sampleArchive()
        let parsed = try readTar(original).get()
        #expect(parsed.members.count == 7)
        var random = SplitMix64(seed: 0xD0_0000)
        var accepted = 0
        var messages = Set<String>()
        for round in 0..<2000 {
            let bytes = Self.mutate(original, round: round, using: &random)
            let inMemory = readTar(bytes)
            let blocks = Self.readThroughBlocks(bytes)
            switch (inMemory, blocks) {
            case (.success(let a), .success(let b)):
                accepted += 1
                #expect(a.members == b.members, "round \(round)")
                for member in a.members {
                    #expect(member.dataBlock == member.headerBlock + 1)
                    #expect(member.firstBlock <= member.headerBlock)
                    if member.type != .directory {
                        #expect(member.dataOffset + member.size <= UInt64(bytes.count), "round \(round)")
                        #expect(tarData(member, bytes)?.count == Int(member.size), "round \(round)")
                    }
                }
            case (.failure(let a), .failure(let b)):
                #expect(a == b, "round \(round)")
                #expect(!a.message.isEmpty && !a.message.contains("\n"))
                messages.insert(String(a.message.prefix(20)))
            default:
                Issue.record("round \(round): the two interfaces disagree: \(inMemory) vs \(blocks)")
            }
        }
        // Both outcomes happen, and several kinds of error.
        #expect(accepted > 100)
        #expect(accepted < 1900)
        #expect(messages.count >= 4, "\(messages)")
    }

    @Test("Random bytes as an archive, with and without valid checksums")
    func tarRandom() {
        var random = SplitMix64(seed: 77)
        for round in 0..<500 {
            var bytes = (0..<Int.random(in: 0...3000, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            if round % 2 == 0 {
                for header in stride(from: 0, to: bytes.count - 511, by: 512) { Self.fixChecksum(&bytes, header: header) }
            }
            let result = readTar(bytes)
            if case .success(let archive) = result {
                for member in archive.members where member.type != .directory {
                    #expect(member.dataOffset + member.size <= UInt64(bytes.count))
                }
            }
            #expect(Self.readThroughBlocks(bytes).map(\.members) == result.map(\.members))
        }
    }

    @Test("Configuration files from random mutations of a valid one")
    func configMutations() {
        let original = Array("""
            # guest
            name = "linux"; kernel = 'Image'
            ramdisk = "initrd.img"
            extra = "console=hvc0 \\"quoted\\" \\x41\\101"
            memory = 0x40
            vcpus = 2
            weight = 512
            disk = [ 'root.img,vda,w',
                     "data.img,raw,vdb,r", ]
            on_crash = "preserve"
            """.utf8)
        #expect((try? GuestConfig.parse(String(decoding: original, as: UTF8.self)))?.memoryMiB == 64)
        var random = SplitMix64(seed: 5)
        let alphabet = Array("'\"[],;=#\\\n x0a9".utf8)
        for _ in 0..<2000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...5, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[index] = alphabet[Int.random(in: 0..<alphabet.count, using: &random)]
                case 1: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: index)
                }
                if bytes.isEmpty { bytes = [0x23] }
            }
            do throws(GuestConfigError) {
                let config = try GuestConfig.parse(String(decoding: bytes, as: UTF8.self))
                #expect(config.vcpus >= 1 && config.vcpus <= 64)
                #expect(config.weight >= 1)
                _ = try? config.validated()
            } catch {
                #expect(!error.message.isEmpty)
                if case .line(let line) = error.origin {
                    #expect(line >= 1 && line <= bytes.filter { $0 == 0x0A }.count + 1, "\(error.message)")
                }
            }
        }
    }

    @Test("Random shell lines and random terminal input")
    func shellAndEditor() {
        var random = SplitMix64(seed: 9)
        let alphabet = Array("ab '\"\\\t=\u{1b}[O~ABCD13;\r\n\u{7f}\u{8}\u{3}\u{15}\u{1}\u{5}\u{b}\u{4}\u{10}\u{e}".utf8)
        var editor = LineEditor(maxLength: 16, historyCapacity: 4)
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0...40, using: &random)).map { _ in
                Bool.random(using: &random) ? alphabet[Int.random(in: 0..<alphabet.count, using: &random)]
                    : UInt8.random(in: 0...255, using: &random)
            }
            _ = try? ShellWords.split(bytes)
            var output: [UInt8] = []
            for event in editor.feed(bytes, output: &output) {
                if case .line(let line) = event { #expect(line.utf8.count <= 16) }
            }
            #expect(editor.cursor >= 0 && editor.cursor <= editor.buffer.count)
            #expect(editor.buffer.count <= 16)
            #expect(editor.history.count <= 4)
        }
    }
}
