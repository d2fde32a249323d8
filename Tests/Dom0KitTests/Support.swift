import Dom0Kit
import Foundation
import TestSupport

/// A hand-made tar archive writer with knobs for breaking single fields, so the error tests
/// know every block number. Each `Entry` is one header (plus its data blocks).
struct TarWriter {
    enum Magic {
        /// "ustar\0" "00": POSIX; the prefix field is used.
        case posix
        /// "ustar  \0": GNU; offset 345 is not a prefix.
        case gnu
        /// No magic (V7).
        case v7
    }

    struct Entry {
        var name: String
        var data: [UInt8] = []
        var typeflag: UInt8 = 0x30
        var linkName: String = ""
        var prefix: String = ""
        var magic: Magic = .posix
        var mode: UInt32 = 0o644
        var mtime: UInt64 = 1_700_000_000
        /// Written as the size field instead of `data.count` in octal (exactly 12 bytes).
        var rawSize: [UInt8]? = nil
        /// Checksum written as a signed sum (bytes ≥ 0x80 count negative).
        var signedChecksum = false
        /// Written instead of the computed checksum (exactly 8 bytes).
        var rawChecksum: [UInt8]? = nil
    }

    var entries: [Entry] = []
    /// Zero blocks written at the end.
    var endBlocks = 2

    mutating func add(_ entry: Entry) { entries.append(entry) }

    mutating func file(_ name: String, _ data: [UInt8], magic: Magic = .posix) {
        entries.append(Entry(name: name, data: data, magic: magic))
    }

    /// A GNU 'L' header for `name`, then the member.
    mutating func gnuLongName(_ name: String, data: [UInt8], typeflag: UInt8 = 0x30) {
        entries.append(Entry(name: "././@LongLink", data: Array(name.utf8) + [0], typeflag: 0x4C, magic: .gnu))
        entries.append(Entry(name: String(name.prefix(99)), data: data, typeflag: typeflag, magic: .gnu))
    }

    /// A pax record "LEN key=value\n".
    static func paxRecord(_ key: String, _ value: String) -> [UInt8] {
        let body = " \(key)=\(value)\n"
        var length = body.utf8.count + 1
        while "\(length)".utf8.count + body.utf8.count != length { length += 1 }
        return Array("\(length)\(body)".utf8)
    }

    static func octal(_ value: UInt64, width: Int) -> [UInt8] {
        var digits = Array(String(value, radix: 8).utf8)
        while digits.count < width - 1 { digits.insert(0x30, at: 0) }
        return digits + [0]
    }

    static func header(_ entry: Entry) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ bytes: [UInt8], _ offset: Int, _ width: Int) {
            for (i, b) in bytes.prefix(width).enumerated() { h[offset + i] = b }
        }
        put(Array(entry.name.utf8), 0, 100)
        put(octal(UInt64(entry.mode), width: 8), 100, 8)
        put(octal(1000, width: 8), 108, 8)
        put(octal(1000, width: 8), 116, 8)
        put(entry.rawSize ?? octal(UInt64(entry.data.count), width: 12), 124, 12)
        put(octal(entry.mtime, width: 12), 136, 12)
        h[156] = entry.typeflag
        put(Array(entry.linkName.utf8), 157, 100)
        switch entry.magic {
        case .posix: put(Array("ustar\u{0}00".utf8), 257, 8)
        case .gnu: put(Array("ustar  \u{0}".utf8), 257, 8)
        case .v7: break
        }
        if entry.magic != .v7 {
            put(Array("user".utf8), 265, 32)
            put(Array("group".utf8), 297, 32)
        }
        // Written whatever the magic, so GNU and V7 headers can carry bytes a reader must
        // not take for a prefix.
        put(Array(entry.prefix.utf8), 345, 155)
        for i in 148..<156 { h[i] = 0x20 }
        var sum = 0
        for b in h { sum += entry.signedChecksum ? Int(Int8(bitPattern: b)) : Int(b) }
        put(entry.rawChecksum ?? (octal(UInt64(sum), width: 7) + [0x20]), 148, 8)
        return h
    }

    func bytes() -> [UInt8] {
        var out: [UInt8] = []
        for entry in entries {
            out += TarWriter.header(entry)
            out += entry.data
            let pad = (512 - entry.data.count % 512) % 512
            out += [UInt8](repeating: 0, count: pad)
        }
        out += [UInt8](repeating: 0, count: 512 * endBlocks)
        return out
    }
}

/// Reads an in-memory archive, as a Result.
func readTar(_ bytes: [UInt8]) -> Result<TarArchive, TarError> {
    bytes.withUnsafeBytes { buffer in
        do throws(TarError) {
            return .success(try TarArchive(bytes: buffer))
        } catch {
            return .failure(error)
        }
    }
}

/// The error message of a refused archive, or nil when it was accepted.
func tarError(_ bytes: [UInt8]) -> String? {
    if case .failure(let error) = readTar(bytes) { return error.message }
    return nil
}

/// A member's data, copied out.
func tarData(_ member: TarMember, _ bytes: [UInt8]) -> [UInt8]? {
    bytes.withUnsafeBytes { buffer in
        TarArchive.data(of: member, in: buffer).map { Array($0) }
    }
}

/// Deterministic test bytes.
func pattern(_ count: Int, seed: UInt64) -> [UInt8] {
    var random = SplitMix64(seed: seed)
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
}

/// Running host tools.
enum Host {
    /// Runs a program; returns its exit status and standard error.
    @discardableResult
    static func run(_ path: String, _ arguments: [String], in directory: URL? = nil) throws -> (Int32, String) {
        let r = try runSubprocess(path, arguments, timeout: 300, directory: directory?.path)
        return (r.status, String(decoding: r.stderr, as: UTF8.self))
    }

    /// A fresh temporary directory, removed after `body`.
    static func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("dom0kit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url)
    }
}
