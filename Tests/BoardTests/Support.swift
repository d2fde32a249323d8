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

/// Runs a program with arguments and optional standard input, waiting at most `timeout` s.
func runCommand(_ path: String, _ arguments: [String], stdin: Data? = nil, timeout: TimeInterval = 60) throws -> Outcome {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    let input = Pipe()
    p.standardInput = stdin == nil ? FileHandle.nullDevice : input
    try p.run()
    if let stdin {
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
    }
    // Drain both pipes while waiting so a chatty child never blocks.
    final class Sink: @unchecked Sendable { var data = Data() }  // each written by one reader
    let outSink = Sink(), errSink = Sink()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { outSink.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.enter()
    DispatchQueue.global().async { errSink.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { usleep(10_000) }
    if p.isRunning { p.terminate() }
    p.waitUntilExit()
    group.wait()
    return Outcome(status: p.terminationStatus, stdout: String(decoding: outSink.data, as: UTF8.self),
                   stderr: String(decoding: errSink.data, as: UTF8.self))
}
