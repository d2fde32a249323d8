import ArgumentParser
import Board
import Foundation

struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Run each ELF (or every ELF in a folder) on a fresh board and report pass/fail.",
        discussion: "A program passes when it exits with code 0 (test finisher or HTIF tohost). Exit status 1 if any fails."
    )

    @Argument(help: "ELF files or folders of ELF files.")
    var paths: [String]

    @OptionGroup var board: BoardOptions

    @Option(help: "Instruction limit per program.")
    var maxInstructions: UInt64 = 50_000_000

    @Flag(help: "Print each failing program's console output.")
    var verbose = false

    func run() throws {
        let files = Conformance.expand(paths)
        guard !files.isEmpty else { throw ValidationError("no ELF files found in \(paths.joined(separator: " "))") }
        let config = try board.config()
        var passed = 0, failed = 0
        let width = max(20, files.map { ($0 as NSString).lastPathComponent.count }.max() ?? 0)
        print("program".padding(toLength: width, withPad: " ", startingAt: 0) + "  result  " + "instructions".leftPad(13) + "cycles".leftPad(14) + "  detail")
        for path in files {
            let r = Conformance.run(path: path, config: config, maxInstructions: maxInstructions)
            if r.passed { passed += 1 } else { failed += 1 }
            print(r.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + (r.passed ? "PASS  " : "FAIL  ")
                  + "  " + String(r.instructions).leftPad(13) + String(r.cycles).leftPad(14) + "  " + (r.passed ? "" : r.detail))
            if verbose && !r.passed && !r.console.isEmpty {
                for line in r.console.split(separator: "\n") { print("    | \(line)") }
            }
        }
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}

extension String {
    func leftPad(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
