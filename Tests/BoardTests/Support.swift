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
