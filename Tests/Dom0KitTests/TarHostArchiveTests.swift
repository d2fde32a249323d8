import Dom0Kit
import Foundation
import TestSupport
import Testing

/// Archives written by the host's GNU tar (gnu, pax and ustar formats) and, when installed,
/// bsdtar (libarchive: pax, ustar, gnutar), read back and compared with the files they hold.
@Suite("Tar: archives written by GNU tar and bsdtar")
struct TarHostArchiveTests {
    /// One file-system object in the source tree.
    struct Expected {
        var name: String
        var type: TarMemberType
        var contents: [UInt8] = []
        var linkTarget: String = ""
    }

    static let longFileName = String(repeating: "n", count: 146) + ".cfg"  // 150 characters
    static let longDirectory = String(repeating: "p", count: 99)
    static let longPath = longDirectory + "/" + String(repeating: "q", count: 46) + ".txt"  // 150
    static let longTarget = String(repeating: "t", count: 120)

    /// Builds the source tree in `root` and returns the command-line paths and what the
    /// archive must hold. `long` adds a 150-character file name and a 120-character symlink
    /// target, which ustar cannot store.
    static func makeTree(in root: URL, long: Bool) throws -> (paths: [String], expected: [Expected]) {
        let fm = FileManager.default
        func write(_ path: String, _ bytes: [UInt8]) throws {
            try Data(bytes).write(to: root.appendingPathComponent(path))
        }
        try fm.createDirectory(at: root.appendingPathComponent("guests"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent(longDirectory), withIntermediateDirectories: true)
        let config = Array("name = \"linux\"\nkernel = \"Image\"\nmemory = 64\n".utf8)
        var expected: [Expected] = [
            Expected(name: "hello.elf", type: .regular, contents: pattern(1000, seed: 1)),
            Expected(name: "guests", type: .directory),
            Expected(name: "guests/linux.cfg", type: .regular, contents: config),
            Expected(name: "empty.txt", type: .regular),
            Expected(name: "block.bin", type: .regular, contents: pattern(512, seed: 2)),
            Expected(name: "big.bin", type: .regular, contents: pattern(70_000, seed: 3)),
            Expected(name: longDirectory, type: .directory),
            Expected(name: longPath, type: .regular, contents: pattern(300, seed: 4)),
            Expected(name: "link", type: .symbolicLink, linkTarget: "hello.elf"),
        ]
        if long {
            expected.append(Expected(name: longFileName, type: .regular, contents: pattern(2048, seed: 5)))
            expected.append(Expected(name: "longlink", type: .symbolicLink, linkTarget: longTarget))
        }
        for entry in expected {
            switch entry.type {
            case .regular: try write(entry.name, entry.contents)
            case .symbolicLink:
                try fm.createSymbolicLink(atPath: root.appendingPathComponent(entry.name).path,
                                          withDestinationPath: entry.linkTarget)
            default: break
            }
        }
        var paths = ["hello.elf", "guests", "empty.txt", "block.bin", "big.bin", longDirectory, "link"]
        if long { paths += [longFileName, "longlink"] }
        return (paths, expected)
    }

    /// Writes an archive with `tool arguments… -cf out.tar -C src paths…`, reads it back and
    /// checks every member; returns the archive bytes.
    @discardableResult
    static func roundTrip(
        _ tool: String, _ arguments: [String], long: Bool,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [UInt8] {
        try Host.withTemporaryDirectory { dir in
            let src = dir.appendingPathComponent("src")
            try FileManager.default.createDirectory(at: src, withIntermediateDirectories: true)
            let (paths, expected) = try makeTree(in: src, long: long)
            let out = dir.appendingPathComponent("out.tar").path
            let (status, stderr) = try Host.run(tool, arguments + ["-cf", out, "-C", src.path] + paths)
            #expect(status == 0, "\(tool) \(arguments): \(stderr)", sourceLocation: sourceLocation)
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
            let archive: TarArchive
            switch readTar(bytes) {
            case .success(let a): archive = a
            case .failure(let error):
                Issue.record("\(tool) \(arguments): \(error.message)", sourceLocation: sourceLocation)
                return bytes
            }
            #expect(archive.members.count == expected.count,
                    "\(tool) \(arguments): \(archive.members.map(\.name))", sourceLocation: sourceLocation)
            for entry in expected {
                guard let member = archive.member(named: entry.name) else {
                    Issue.record("\(tool) \(arguments): no member \(entry.name)", sourceLocation: sourceLocation)
                    continue
                }
                let stored = member.name.hasSuffix("/") ? String(member.name.dropLast()) : member.name
                #expect(stored == entry.name, sourceLocation: sourceLocation)
                #expect(member.type == entry.type, "\(entry.name)", sourceLocation: sourceLocation)
                switch entry.type {
                case .regular:
                    #expect(member.size == UInt64(entry.contents.count), "\(entry.name)", sourceLocation: sourceLocation)
                    #expect(tarData(member, bytes) == entry.contents, "\(entry.name)", sourceLocation: sourceLocation)
                    #expect(member.dataBlockCount == (UInt64(entry.contents.count) + 511) / 512)
                    #expect(member.mode & 0o777 != 0)
                    #expect(member.modificationTime > 1_000_000_000)
                case .symbolicLink:
                    #expect(member.linkName == entry.linkTarget, "\(entry.name)", sourceLocation: sourceLocation)
                case .directory:
                    #expect(member.dataBlockCount == 0, sourceLocation: sourceLocation)
                default:
                    break
                }
            }
            return bytes
        }
    }

    static var bsdtar: String? { executableOnPath("bsdtar") }

    static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard needle.count <= bytes.count else { return false }
        for i in 0...(bytes.count - needle.count) where bytes[i..<(i + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }

    /// True when some header in the archive has typeflag `flag` (a crude scan of 512-byte
    /// boundaries: enough to show which extension the writer used).
    static func hasHeader(_ bytes: [UInt8], typeflag flag: UInt8) -> Bool {
        stride(from: 0, to: bytes.count - 511, by: 512).contains { offset in
            bytes[offset + 156] == flag && bytes[offset + 257..<offset + 262].elementsEqual(Array("ustar".utf8))
        }
    }

    @Test("GNU tar, --format=gnu: 'L' long names and 'K' long link names")
    func gnuFormat() throws {
        let tar = try #require(executableOnPath("tar"))
        let bytes = try Self.roundTrip(tar, ["--format=gnu"], long: true)
        #expect(Self.hasHeader(bytes, typeflag: 0x4C))  // 'L'
        #expect(Self.hasHeader(bytes, typeflag: 0x4B))  // 'K'
        #expect(Self.contains(bytes, "././@LongLink"))
    }

    @Test("GNU tar, --format=oldgnu: 'L' and 'K' headers too")
    func oldGnuFormat() throws {
        let tar = try #require(executableOnPath("tar"))
        let bytes = try Self.roundTrip(tar, ["--format=oldgnu"], long: true)
        #expect(Self.hasHeader(bytes, typeflag: 0x4C))
    }

    @Test("GNU tar, --format=pax: 'x' extended headers with path= and linkpath=")
    func paxFormat() throws {
        let tar = try #require(executableOnPath("tar"))
        let bytes = try Self.roundTrip(tar, ["--format=pax"], long: true)
        #expect(Self.hasHeader(bytes, typeflag: 0x78))  // 'x'
        #expect(Self.contains(bytes, " path=" + Self.longFileName))
    }

    @Test("GNU tar, --format=ustar: the prefix field")
    func ustarFormat() throws {
        let tar = try #require(executableOnPath("tar"))
        let bytes = try Self.roundTrip(tar, ["--format=ustar"], long: false)
        #expect(!Self.hasHeader(bytes, typeflag: 0x4C))
        #expect(!Self.hasHeader(bytes, typeflag: 0x78))
        // The 150-character path is split: its directory is in the prefix field.
        let archive = try readTar(bytes).get()
        let member = try #require(archive.member(named: Self.longPath))
        #expect(member.name == Self.longPath)
    }

    @Test("GNU tar's default format, with './' names from `-C src .`")
    func defaultFormatDotNames() throws {
        let tar = try #require(executableOnPath("tar"))
        try Host.withTemporaryDirectory { dir in
            let src = dir.appendingPathComponent("src")
            try FileManager.default.createDirectory(at: src, withIntermediateDirectories: true)
            let (_, expected) = try Self.makeTree(in: src, long: true)
            let out = dir.appendingPathComponent("dot.tar").path
            let (status, stderr) = try Host.run(tar, ["-cf", out, "-C", src.path, "."])
            #expect(status == 0, "\(stderr)")
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
            let archive = try readTar(bytes).get()
            #expect(archive.members.count == expected.count + 1)  // "./" itself
            #expect(archive.members.allSatisfy { $0.name.hasPrefix("./") })
            for entry in expected {
                let member = try #require(archive.member(named: entry.name), "\(entry.name)")
                #expect(member.type == entry.type)
                if entry.type == .regular { #expect(tarData(member, bytes) == entry.contents) }
                #expect(archive.member(named: "./" + entry.name) == member)
            }
        }
    }

    @Test("bsdtar: pax (its default), ustar and gnutar", arguments: [
        (["--format=pax"], true), ([], true), (["--format=ustar"], false), (["--format=gnutar"], true),
    ])
    func bsdtarFormats(arguments: [String], long: Bool) throws {
        guard let bsdtar = Self.bsdtar else { return }  // libarchive-tools not installed: skipped
        try Self.roundTrip(bsdtar, arguments, long: long)
    }

    @Test("A disk-backed archive reads only headers and extended-header data")
    func diskBacked() throws {
        let tar = try #require(executableOnPath("tar"))
        let bytes = try Self.roundTrip(tar, ["--format=gnu"], long: true)
        let inMemory = try readTar(bytes).get()
        var blocksRead: [UInt64] = []
        let result: Result<TarArchive, TarError> = bytes.withUnsafeBytes { buffer in
            do throws(TarError) {
                return .success(try TarArchive(byteCount: UInt64(buffer.count)) { index in
                    blocksRead.append(index)
                    let start = Int(index) * 512
                    return UnsafeRawBufferPointer(rebasing: buffer[start..<min(start + 512, buffer.count)])
                })
            } catch {
                return .failure(error)
            }
        }
        let disk = try result.get()
        #expect(disk.members == inMemory.members)
        let big = try #require(disk.member(named: "big.bin"))
        let dataBlocks = big.dataBlock..<(big.dataBlock + big.dataBlockCount)
        #expect(!blocksRead.contains { dataBlocks.contains($0) })
        #expect(Set(blocksRead).count == blocksRead.count)  // each block read once
        // Reading the member's data from the "disk" block by block gives the file.
        var data: [UInt8] = []
        for block in dataBlocks {
            let start = Int(block) * 512
            data += bytes[start..<(start + 512)]
        }
        #expect(Array(data.prefix(Int(big.size))) == pattern(70_000, seed: 3))
    }

    @Test("forEachMember stops when asked; member(named:) takes the last of equivalent names")
    func stopEarlyAndDuplicates() throws {
        var writer = TarWriter()
        writer.file("a.txt", Array("first".utf8))
        writer.file("b.txt", Array("b".utf8))
        writer.file("./a.txt", Array("second".utf8))
        let bytes = writer.bytes()
        var seen: [String] = []
        let result: Result<Void, TarError> = bytes.withUnsafeBytes { buffer in
            do throws(TarError) {
                try TarArchive.forEachMember(byteCount: UInt64(buffer.count), readBlock: { index in
                    let start = Int(index) * 512
                    return UnsafeRawBufferPointer(rebasing: buffer[start..<min(start + 512, buffer.count)])
                }) { member in
                    seen.append(member.name)
                    return seen.count < 2
                }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        #expect(seen == ["a.txt", "b.txt"])
        let archive = try readTar(bytes).get()
        #expect(tarData(try #require(archive.member(named: "a.txt")), bytes) == Array("second".utf8))
        #expect(tarData(try #require(archive.member(named: "./a.txt")), bytes) == Array("second".utf8))
        #expect(archive.member(named: "c.txt") == nil)
        #expect(archive.member(named: "") == nil)
    }
}
