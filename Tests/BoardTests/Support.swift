import Foundation
import Testing
import TestSupport

/// Paths of the repository and of the artefacts `tools/build-riscv.sh` builds.
enum Repo {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let riscvOut = root.appendingPathComponent(".build-riscv")
    static let programs = riscvOut.appendingPathComponent("programs")
    static let strictPrograms = riscvOut.appendingPathComponent("programs-strict")
    static let demo = riscvOut.appendingPathComponent("demo/demo.elf").path

    /// The `vireo` executable of the current build (debug or release, whichever the tests
    /// were built with).
    static var vireo: String {
        let bundle = Bundle.main.bundleURL.deletingLastPathComponent()
        for candidate in [bundle.appendingPathComponent("vireo").path,
                          root.appendingPathComponent(".build/debug/vireo").path] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return root.appendingPathComponent(".build/debug/vireo").path
    }

    /// The `vireo` for long system runs: the release build `tools/test.sh` makes and names
    /// in VIREO_FAST_BIN (ten times faster than debug), else the one of this build.
    static var fastVireo: String {
        if let path = ProcessInfo.processInfo.environment["VIREO_FAST_BIN"], FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        return vireo
    }

    /// The ELF files in a build folder, sorted. Empty when the folder was not built.
    static func elfs(in dir: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".elf") }.sorted().map { dir.appendingPathComponent($0).path }
    }

    static func executable(_ name: String) -> String? { executableOnPath(name) }
}

/// Result of running a command.
struct Outcome {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a program with arguments and optional standard input, waiting at most `timeout` s
/// (then it is killed: status 137). TestSupport's `runSubprocess`, not Foundation's
/// `Process`, whose wait can miss a child's exit (see there).
func runCommand(_ path: String, _ arguments: [String], stdin: Data? = nil, timeout: TimeInterval = 60) throws -> Outcome {
    let r = try runSubprocess(path, arguments, stdin: stdin, timeout: timeout)
    return Outcome(status: r.status, stdout: String(decoding: r.stdout, as: UTF8.self),
                   stderr: String(decoding: r.stderr, as: UTF8.self))
}

/// Tiny bare-metal programs for `vireo run --bios`: RV64 instruction encoders (Unpriv. §2.2)
/// and the raw image of a list of words, loaded at 0x8000_0000.
enum RawProgram {
    static func itype(_ imm: Int32, _ rs1: UInt32, _ f3: UInt32, _ rd: UInt32, _ op: UInt32) -> UInt32 {
        (UInt32(bitPattern: imm) & 0xFFF) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op
    }
    static func lui(_ rd: UInt32, _ imm20: UInt32) -> UInt32 { (imm20 & 0xF_FFFF) << 12 | rd << 7 | 0x37 }
    static func sw(_ rs2: UInt32, _ rs1: UInt32) -> UInt32 { rs2 << 20 | rs1 << 15 | 2 << 12 | 0x23 }
    static func bne(_ rs1: UInt32, _ rs2: UInt32, _ off: Int32) -> UInt32 {
        let i = UInt32(bitPattern: off)
        return ((i >> 12) & 1) << 31 | ((i >> 5) & 0x3F) << 25 | rs2 << 20 | rs1 << 15 | 1 << 12
            | ((i >> 1) & 0xF) << 8 | ((i >> 11) & 1) << 7 | 0x63
    }
    static let wfi: UInt32 = 0x1050_0073
    static let jSelf: UInt32 = 0x0000_006F

    /// A temporary file with the little-endian bytes of `words` (the caller removes it).
    static func image(_ words: [UInt32]) -> String {
        let bytes = words.flatMap { w in withUnsafeBytes(of: w.littleEndian) { Array($0) } }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-raw-\(UUID().uuidString).bin").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// An empty temporary file (a console script with no input; the caller removes it).
    static func emptyFile() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-empty-\(UUID().uuidString).txt").path
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        return path
    }
}

/// Runs `vireo` with its output discarded; nil when it has not finished after `timeout`
/// seconds (it is then killed).
func vireoStatus(_ arguments: [String], stdin: Data? = nil, timeout: TimeInterval) throws -> Int32? {
    let r = try runSubprocess(Repo.vireo, arguments, stdin: stdin, timeout: timeout, capture: false)
    return r.timedOut ? nil : r.status
}
