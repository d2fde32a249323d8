import Dom0Kit
import TestSupport
import Testing

/// Hand-made archives: each header field the reader interprets, and every error with its
/// exact message.
@Suite("Tar: header fields and errors")
struct TarFormatTests {
    typealias Entry = TarWriter.Entry

    static func only(_ entries: [Entry], endBlocks: Int = 2) -> [UInt8] {
        var writer = TarWriter()
        writer.entries = entries
        writer.endBlocks = endBlocks
        return writer.bytes()
    }

    // MARK: - Fields

    @Test("ustar prefix is joined to the name; GNU and V7 headers ignore offset 345")
    func prefixOnlyForPOSIX() throws {
        let bytes = Self.only([
            Entry(name: "file.txt", data: [1, 2, 3], prefix: "dir/sub", magic: .posix),
            Entry(name: "gnu.txt", data: [4], prefix: "junk", magic: .gnu),
            Entry(name: "v7.txt", data: [5], prefix: "junk", magic: .v7),
        ])
        let archive = try readTar(bytes).get()
        #expect(archive.members.map(\.name) == ["dir/sub/file.txt", "gnu.txt", "v7.txt"])
        #expect(archive.members.map { tarData($0, bytes) } == [[1, 2, 3], [4], [5]])
        #expect(archive.members.map(\.headerBlock) == [0, 2, 4])
        #expect(archive.members.map(\.dataOffset) == [512, 1536, 2560])
        #expect(archive.byteCount == UInt64(bytes.count))
    }

    @Test("A 100-byte name fills its field without a NUL")
    func fullWidthName() throws {
        let name = String(repeating: "x", count: 100)
        let archive = try readTar(Self.only([Entry(name: name, data: [9])])).get()
        #expect(archive.members.map(\.name) == [name])
    }

    @Test("Typeflags: NUL and '0' files, V7 directories, '5' without data, other types listed")
    func typeflags() throws {
        let bytes = Self.only([
            Entry(name: "nul-flag", data: [1], typeflag: 0, magic: .v7),
            Entry(name: "olddir/", typeflag: 0, magic: .v7),
            Entry(name: "dir/", typeflag: 0x35),
            Entry(name: "hard", typeflag: 0x31, linkName: "nul-flag"),
            Entry(name: "sym", typeflag: 0x32, linkName: "dir/"),
            Entry(name: "chr", typeflag: 0x33),
            Entry(name: "blk", typeflag: 0x34),
            Entry(name: "fifo", typeflag: 0x36),
            Entry(name: "cont", data: [7, 7], typeflag: 0x37),
            Entry(name: "sparse", data: [8, 8, 8], typeflag: 0x53),  // GNU 'S': data skipped by size
            Entry(name: "after", data: [42]),
        ])
        let archive = try readTar(bytes).get()
        #expect(archive.members.map(\.type) == [
            .regular, .directory, .directory, .hardLink, .symbolicLink, .characterDevice,
            .blockDevice, .fifo, .contiguous, .other(0x53), .regular,
        ])
        #expect(archive.members.map(\.typeflag) == [0, 0, 0x35, 0x31, 0x32, 0x33, 0x34, 0x36, 0x37, 0x53, 0x30])
        #expect(archive.members[3].linkName == "nul-flag")
        #expect(archive.members[4].linkName == "dir/")
        #expect(tarData(archive.members[8], bytes) == [7, 7])
        #expect(tarData(archive.members[10], bytes) == [42])
        #expect(archive.members.map { $0.type.isFile } == [true, false, false, false, false, false, false, false, true, false, true])
        #expect(String(decoding: archive.members.map { $0.type.letter }, as: UTF8.self) == "-ddhlcbp-?-")
        #expect(archive.members.map { $0.type.description } == [
            "file", "directory", "directory", "hard link", "symlink", "character device",
            "block device", "fifo", "contiguous file", "type 'S'", "file",
        ])
        #expect(TarMemberType.other(0x80).description == "type 0x80")
        #expect(archive.member(named: "dir")?.name == "dir/")
        #expect(archive.member(named: "olddir")?.type == .directory)
    }

    @Test("A directory's size field does not count data blocks (as GNU tar reads it)")
    func directoryWithSize() throws {
        var dir = Entry(name: "d/", typeflag: 0x35)
        dir.rawSize = TarWriter.octal(4096, width: 12)
        let bytes = Self.only([dir, Entry(name: "f", data: [1])])
        let archive = try readTar(bytes).get()
        #expect(archive.members.map(\.name) == ["d/", "f"])
        #expect(archive.members[0].size == 4096)
        #expect(archive.members[0].dataBlockCount == 0)
        #expect(tarData(archive.members[0], bytes) == [])
        #expect(tarData(archive.members[1], bytes) == [1])
    }

    @Test("Checksums: unsigned and signed sums both accepted")
    func signedChecksum() throws {
        let name = "caf\u{e9}-\u{2603}"  // bytes ≥ 0x80 make the two sums differ
        var signed = Entry(name: name, data: [1])
        signed.signedChecksum = true
        let unsigned = Entry(name: name + "2", data: [2])
        let archive = try readTar(Self.only([signed, unsigned])).get()
        #expect(archive.members.map(\.name) == [name, name + "2"])
    }

    @Test("Number fields: leading spaces, full width, space terminators, base-256")
    func numberForms() throws {
        var spaces = Entry(name: "spaces", data: pattern(100, seed: 9))
        spaces.rawSize = Array("     0000144".utf8)  // 0o144 = 100, no terminator
        var spaceEnd = Entry(name: "space-end", data: pattern(8, seed: 10))
        spaceEnd.rawSize = Array("10 ".utf8) + [0, 0, 0, 0, 0, 0, 0, 0, 0]
        var binary = Entry(name: "base256", data: pattern(300, seed: 11))
        binary.rawSize = [0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x2C]  // 300
        let bytes = Self.only([spaces, spaceEnd, binary, Entry(name: "plain", data: [3])])
        let archive = try readTar(bytes).get()
        #expect(archive.members.map(\.size) == [100, 8, 300, 1])
        #expect(tarData(archive.members[0], bytes) == pattern(100, seed: 9))
        #expect(tarData(archive.members[1], bytes) == pattern(8, seed: 10))
        #expect(tarData(archive.members[2], bytes) == pattern(300, seed: 11))
    }

    @Test("Checksum field written as six digits, NUL, space (the traditional form)")
    func traditionalChecksum() throws {
        var header = TarWriter.header(Entry(name: "t", data: []))
        // Re-encode the checksum as "%06o\0 ".
        for i in 148..<156 { header[i] = 0x20 }
        let sum = header.reduce(0) { $0 + Int($1) }
        let digits = Array(String(sum, radix: 8).utf8)
        let field = [UInt8](repeating: 0x30, count: 6 - digits.count) + digits + [0, 0x20]
        for (i, b) in field.enumerated() { header[148 + i] = b }
        let archive = try readTar(header + [UInt8](repeating: 0, count: 1024)).get()
        #expect(archive.members.map(\.name) == ["t"])
    }

    @Test("GNU 'L' and 'K' headers name the next member and its link")
    func gnuLongNames() throws {
        let longName = String(repeating: "a", count: 120) + "/" + String(repeating: "b", count: 100)
        let longLink = String(repeating: "c", count: 200)
        var writer = TarWriter()
        writer.gnuLongName(longName, data: pattern(700, seed: 12))
        writer.add(Entry(name: "././@LongLink", data: Array(longLink.utf8) + [0], typeflag: 0x4B, magic: .gnu))
        writer.add(Entry(name: "././@LongLink", data: Array("sym-long-name".utf8) + [0], typeflag: 0x4C, magic: .gnu))
        writer.add(Entry(name: "short", typeflag: 0x32, linkName: "short-target", magic: .gnu))
        writer.file("plain", [1])
        let bytes = writer.bytes()
        let archive = try readTar(bytes).get()
        #expect(archive.members.map(\.name) == [longName, "sym-long-name", "plain"])
        #expect(archive.members[0].firstBlock == 0)
        #expect(archive.members[0].headerBlock == 2)  // 'L' header + 1 block of name
        #expect(tarData(archive.members[0], bytes) == pattern(700, seed: 12))
        #expect(archive.members[1].linkName == longLink)
        #expect(archive.members[1].firstBlock == 5)  // after 0 L, 1 name, 2 header, 3-4 data
        #expect(archive.members[1].headerBlock == 9)  // 5 K, 6 link, 7 L, 8 name
        #expect(archive.members[2].linkName == "")
        #expect(archive.members[2].firstBlock == archive.members[2].headerBlock)
    }

    @Test("pax 'x' headers: path, linkpath, size; 'g' ignored; 'X' (Solaris) read; empty value resets")
    func paxHeaders() throws {
        let path = "pax/" + String(repeating: "é", count: 90)
        let records = TarWriter.paxRecord("mtime", "1700000000.5") + TarWriter.paxRecord("path", path)
            + TarWriter.paxRecord("linkpath", "target/of/link") + TarWriter.paxRecord("size", "10")
        let global = TarWriter.paxRecord("path", "global-ignored") + TarWriter.paxRecord("comment", "x")
        let reset = TarWriter.paxRecord("path", "first") + TarWriter.paxRecord("path", "")
        var member = Entry(name: "PaxHeaders/short", data: pattern(10, seed: 13))
        member.rawSize = TarWriter.octal(0, width: 12)  // the pax size says 10
        let bytes = Self.only([
            Entry(name: "pax_global_header", data: global, typeflag: 0x67),
            Entry(name: "PaxHeaders/x", data: records, typeflag: 0x78),
            member,
            Entry(name: "PaxHeaders/y", data: reset, typeflag: 0x58),
            Entry(name: "from-header", data: [5]),
        ])
        let archive = try readTar(bytes).get()
        #expect(archive.members.map(\.name) == [path, "from-header"])
        #expect(archive.members[0].linkName == "target/of/link")
        #expect(archive.members[0].size == 10)
        #expect(archive.members[0].firstBlock == 2)
        #expect(tarData(archive.members[0], bytes) == pattern(10, seed: 13))
        #expect(tarData(archive.members[1], bytes) == [5])
        // A 'g' header alone before the end is fine.
        let lone = Self.only([Entry(name: "g", data: global, typeflag: 0x67)])
        #expect(try readTar(lone).get().members.isEmpty)
    }

    @Test("The end: two zero blocks, one zero block then EOF or junk, EOF on a block boundary, zero tail")
    func endOfArchive() throws {
        let member = Entry(name: "a", data: [1])
        #expect(try readTar(Self.only([member], endBlocks: 2)).get().members.count == 1)
        #expect(try readTar(Self.only([member], endBlocks: 1)).get().members.count == 1)
        #expect(try readTar(Self.only([member], endBlocks: 0)).get().members.count == 1)
        let junkAfter = Self.only([member], endBlocks: 1) + [UInt8](repeating: 0xA5, count: 2048)
        #expect(try readTar(junkAfter).get().members.count == 1)
        let zeroTail = Self.only([member], endBlocks: 0) + [UInt8](repeating: 0, count: 100)
        #expect(try readTar(zeroTail).get().members.count == 1)
        #expect(try readTar([]).get().members.isEmpty)
        #expect(try readTar([UInt8](repeating: 0, count: 10240)).get().members.isEmpty)
        // The last member's padding may be cut: its data is complete.
        let cutPadding = Array(Self.only([member], endBlocks: 0).prefix(513))
        #expect(try readTar(cutPadding).get().members.count == 1)
    }

    // MARK: - Errors

    @Test("Bad checksum: a flipped checksum byte, a flipped name byte, a non-numeric checksum")
    func badChecksum() {
        let good = Self.only([Entry(name: "a.txt", data: pattern(100, seed: 1)),
                              Entry(name: "b.txt", data: pattern(100, seed: 2))])
        var flipped = good
        flipped[2 * 512 + 150] ^= 0x01
        #expect(tarError(flipped) == "bad header checksum at block 2")
        var nameFlipped = good
        nameFlipped[2 * 512 + 1] ^= 0x20
        #expect(tarError(nameFlipped) == "bad header checksum at block 2")
        var letters = good
        for i in 148..<156 { letters[i] = 0x41 }
        #expect(tarError(letters) == "bad header checksum at block 0")
        #expect(tarError(pattern(4096, seed: 99)) == "bad header checksum at block 0")
        #expect(tarError(Array("hello, not a tar file\n".utf8) + [UInt8](repeating: 0x20, count: 490))
                == "bad header checksum at block 0")
    }

    @Test("Truncated in the middle of a member")
    func truncatedMember() {
        let bytes = Self.only([Entry(name: "big.bin", data: pattern(4096, seed: 3))])
        #expect(tarError(Array(bytes.prefix(512 + 1024))) == "truncated: member 'big.bin' needs 4096 bytes, 1024 left")
        #expect(tarError(Array(bytes.prefix(512))) == "truncated: member 'big.bin' needs 4096 bytes, 0 left")
        #expect(tarError(Array(bytes.prefix(512 + 4095))) == "truncated: member 'big.bin' needs 4096 bytes, 4095 left")
        #expect(tarError(Array(bytes.prefix(512 + 4096))) == nil)
    }

    @Test("Truncated header")
    func truncatedHeader() {
        let bytes = Self.only([Entry(name: "a.txt", data: [1]), Entry(name: "b.txt", data: [2])])
        #expect(tarError(Array(bytes.prefix(2 * 512 + 100))) == "truncated: header at block 2 has 100 of 512 bytes")
        #expect(tarError(Array(bytes.prefix(511))) == "truncated: header at block 0 has 511 of 512 bytes")
        #expect(tarError(Array(bytes.prefix(1))) == "truncated: header at block 0 has 1 of 512 bytes")
    }

    @Test("Bad octal in the size field", arguments: [
        "00000000019\u{0}", "0000 000012\u{0}", "0000000001x\u{0}", "\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}",
        "            ", "-0000000001\u{0}", "+0000000001\u{0}",
    ])
    func badOctal(field: String) {
        var entry = Entry(name: "bad.bin", data: [1])
        entry.rawSize = Array(field.utf8)
        #expect(tarError(Self.only([entry])) == "bad size field in header at block 0")
        // Also on a later header.
        #expect(tarError(Self.only([Entry(name: "ok", data: [1]), entry])) == "bad size field in header at block 2")
    }

    @Test("Huge sizes: octal and base-256 beyond the archive, base-256 beyond 64 bits or negative")
    func hugeSizes() {
        var octal = Entry(name: "huge.bin")
        octal.rawSize = Array("77777777777".utf8) + [0]
        #expect(tarError(Self.only([octal])) == "truncated: member 'huge.bin' needs 8589934591 bytes, 1024 left")
        var max64 = Entry(name: "max.bin")
        max64.rawSize = [0x80, 0, 0, 0] + [UInt8](repeating: 0xFF, count: 8)
        #expect(tarError(Self.only([max64])) == "truncated: member 'max.bin' needs 18446744073709551615 bytes, 1024 left")
        var wide = Entry(name: "wide.bin")
        wide.rawSize = [0x80, 0, 0, 1] + [UInt8](repeating: 0, count: 8)
        #expect(tarError(Self.only([wide])) == "bad size field in header at block 0")
        var high = Entry(name: "high.bin")
        high.rawSize = [0xBF] + [UInt8](repeating: 0, count: 11)
        #expect(tarError(Self.only([high])) == "bad size field in header at block 0")
        var negative = Entry(name: "neg.bin")
        negative.rawSize = [UInt8](repeating: 0xFF, count: 12)
        #expect(tarError(Self.only([negative])) == "bad size field in header at block 0")
        // The same sizes on extended headers.
        var longName = Entry(name: "././@LongLink", typeflag: 0x4C, magic: .gnu)
        longName.rawSize = [0x80, 0, 0, 0] + [UInt8](repeating: 0xFF, count: 8)
        #expect(tarError(Self.only([longName])) == "truncated: member '././@LongLink' needs 18446744073709551615 bytes, 1024 left")
    }

    @Test("Extended headers: dangling, too large, truncated, malformed pax records")
    func extendedHeaderErrors() {
        let nameData = Array("some/long/name".utf8) + [0]
        #expect(tarError(Self.only([Entry(name: "././@LongLink", data: nameData, typeflag: 0x4C, magic: .gnu)]))
                == "extended header at block 0 is not followed by a member")
        #expect(tarError(Self.only([Entry(name: "ok", data: [1]),
                                    Entry(name: "x", data: TarWriter.paxRecord("path", "p"), typeflag: 0x78)], endBlocks: 0))
                == "extended header at block 2 is not followed by a member")
        #expect(tarError(Self.only([Entry(name: "././@LongLink", data: [UInt8](repeating: 0x61, count: 70_000), typeflag: 0x4C)]))
                == "extended header at block 0 is too large (70000 bytes)")
        let cut = Array(Self.only([Entry(name: "././@LongLink", data: [UInt8](repeating: 0x61, count: 600), typeflag: 0x4C),
                                   Entry(name: "x", data: [1])]).prefix(612))
        #expect(tarError(cut) == "truncated: member '././@LongLink' needs 600 bytes, 100 left")
        let badRecords: [[UInt8]] = [
            Array("abc".utf8),
            Array("11 path=x\n".utf8),  // the record is 10 bytes
            Array("9 path=xy\n".utf8),  // the record is 10 bytes: byte 9 is not a newline
            Array("9 pathxy\n".utf8),  // no '='
            Array("9 =value\n".utf8),  // empty key
            Array("0 path=x\n".utf8),
            Array("99999999999999999999999 path=x\n".utf8),
            Array("12 size=1x0\n".utf8),
            Array("3 \n".utf8),
            Array("12 path=abc\u{0}".utf8),  // no newline at the end
        ]
        for (i, records) in badRecords.enumerated() {
            let bytes = Self.only([Entry(name: "x", data: records, typeflag: 0x78), Entry(name: "m", data: [1])])
            #expect(tarError(bytes) == "bad pax extended header at block 0", "record \(i)")
        }
        // NUL padding after the last record is tolerated.
        let padded = TarWriter.paxRecord("path", "padded") + [0, 0, 0]
        let bytes = Self.only([Entry(name: "x", data: padded, typeflag: 0x78), Entry(name: "m", data: [1])])
        #expect((try? readTar(bytes).get())?.members.map(\.name) == ["padded"])
    }

    @Test("Read errors from the block reader")
    func readFailures() {
        let bytes = Self.only([Entry(name: "a", data: [1]), Entry(name: "b", data: [2])])
        func read(failing: UInt64, short: Bool) -> String? {
            bytes.withUnsafeBytes { buffer in
                do throws(TarError) {
                    _ = try TarArchive(byteCount: UInt64(buffer.count)) { index in
                        let start = Int(index) * 512
                        if index == failing {
                            return short ? UnsafeRawBufferPointer(rebasing: buffer[start..<start + 100]) : nil
                        }
                        return UnsafeRawBufferPointer(rebasing: buffer[start..<min(start + 512, buffer.count)])
                    }
                    return nil
                } catch {
                    return error.message
                }
            }
        }
        #expect(read(failing: 2, short: false) == "cannot read block 2")
        #expect(read(failing: 0, short: true) == "cannot read block 0")
        #expect(read(failing: 1, short: false) == nil)  // a data block: never read
        // An extended header's data block is read.
        let long = Self.only([Entry(name: "././@LongLink", data: Array("name".utf8) + [0], typeflag: 0x4C),
                              Entry(name: "n", data: [1])])
        let message: String? = long.withUnsafeBytes { buffer in
            do throws(TarError) {
                _ = try TarArchive(byteCount: UInt64(buffer.count)) { index in
                    index == 1 ? nil : UnsafeRawBufferPointer(rebasing: buffer[Int(index) * 512..<Int(index) * 512 + 512])
                }
                return nil
            } catch {
                return error.message
            }
        }
        #expect(message == "cannot read block 1")
    }

    @Test("Messages make member names printable")
    func printableNames() {
        let bytes = Self.only([Entry(name: "evil\u{1b}[2J\u{7}", data: pattern(2000, seed: 4))])
        #expect(tarError(Array(bytes.prefix(1000))) == "truncated: member 'evil?[2J?' needs 2000 bytes, 488 left")
    }

    @Test("data(of:in:) refuses a range outside the given buffer")
    func dataOutsideBuffer() throws {
        let bytes = Self.only([Entry(name: "a", data: pattern(3000, seed: 5))])
        let member = try #require(try readTar(bytes).get().members.first)
        #expect(tarData(member, Array(bytes.prefix(2000))) == nil)
        #expect(tarData(member, bytes) == pattern(3000, seed: 5))
        let empty = TarMember(name: "e", type: .regular, typeflag: 0x30, size: 0, firstBlock: 0,
                              headerBlock: 0, dataBlock: 1_000_000, dataBlockCount: 0)
        #expect(tarData(empty, []) == [])
        let wild = TarMember(name: "w", type: .regular, typeflag: 0x30, size: UInt64.max, firstBlock: 0,
                             headerBlock: 0, dataBlock: 1, dataBlockCount: 1)
        #expect(tarData(wild, bytes) == nil)
    }

    @Test("Every TarError message")
    func messages() {
        #expect(TarError.truncatedMember(name: "x", needs: 4096, left: 1024).message
                == "truncated: member 'x' needs 4096 bytes, 1024 left")
        #expect(TarError.truncatedHeader(block: 7, bytes: 100).message == "truncated: header at block 7 has 100 of 512 bytes")
        #expect(TarError.badChecksum(block: 7).message == "bad header checksum at block 7")
        #expect(TarError.badNumber(field: "size", block: 7).message == "bad size field in header at block 7")
        #expect(TarError.badExtendedHeader(block: 7).message == "bad pax extended header at block 7")
        #expect(TarError.extendedHeaderTooLarge(block: 7, size: 99999).message
                == "extended header at block 7 is too large (99999 bytes)")
        #expect(TarError.danglingExtendedHeader(block: 7).message == "extended header at block 7 is not followed by a member")
        #expect(TarError.readFailed(block: 7).message == "cannot read block 7")
        #expect(TarError.readFailed(block: 7).description == "cannot read block 7")
    }
}
