import TestSupport
import Foundation

/// Paths of the repository and of what `tools/build-riscv.sh` builds.
enum Repo {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Every `.elf` under `.build-riscv/`, sorted; empty when nothing was built.
    static var builtELFs: [URL] {
        let top = root.appendingPathComponent(".build-riscv")
        guard let walker = FileManager.default.enumerator(at: top, includingPropertiesForKeys: nil) else {
            return []
        }
        var found: [URL] = []
        for case let url as URL in walker where url.pathExtension == "elf" {
            found.append(url)
        }
        return found.sorted { $0.path < $1.path }
    }

    static func executable(_ name: String) -> String? { executableOnPath(name) }

    /// Runs a program and returns its exit status, standard output and standard error.
    static func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let r = try runSubprocess(path, arguments, timeout: 300)
        return (r.status, String(decoding: r.stdout, as: UTF8.self), String(decoding: r.stderr, as: UTF8.self))
    }

    /// A file in the temporary directory holding `bytes`, removed after `body`.
    static func withTemporaryFile<T>(_ bytes: [UInt8], suffix: String, _ body: (String) throws -> T) throws -> T {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("firmwarekit-\(UUID().uuidString)\(suffix)")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url.path)
    }
}

/// Damages a copy of `bytes`: 1 to 8 byte changes (half of the rounds only in the first
/// `hot` bytes, where the headers are), and in half of the rounds a truncation too.
func mutate(_ bytes: [UInt8], hot: Int, round: Int, using random: inout SplitMix64) -> [UInt8] {
    var copy = bytes
    guard !copy.isEmpty else { return copy }
    for _ in 0..<Int.random(in: 1...8, using: &random) {
        let limit = round % 2 == 0 ? min(copy.count, hot) : copy.count
        let index = Int.random(in: 0..<limit, using: &random)
        switch Int.random(in: 0..<4, using: &random) {
        case 0: copy[index] = 0xFF
        case 1: copy[index] = 0
        case 2: copy[index] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
        default: copy[index] = UInt8.random(in: 0...255, using: &random)
        }
    }
    if Bool.random(using: &random) {
        copy = Array(copy.prefix(Int.random(in: 0...copy.count, using: &random)))
    }
    return copy
}

/// Big-endian and little-endian encoders for hand-made files.
func be32(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
}

func be64(_ value: UInt64) -> [UInt8] {
    be32(UInt32(value >> 32)) + be32(UInt32(truncatingIfNeeded: value))
}
