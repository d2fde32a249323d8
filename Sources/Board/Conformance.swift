#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BoardCore
import VireoELF

/// Runs a suite of ELF test programs, each on a fresh board: a program passes when it exits
/// with code 0 (finisher or HTIF) within the instruction limit.
public enum Conformance {
    public struct Result: Sendable {
        public var name: String
        public var path: String
        public var passed: Bool
        /// "pass", "exit code 3", "instruction limit", "WFI deadlock" or the ELF error.
        public var detail: String
        public var instructions: UInt64
        public var cycles: UInt64
        public var console: String
    }

    /// Expands folders into the ELF files they hold (sorted), keeping files as given.
    public static func expand(_ paths: [String]) -> [String] {
        var out: [String] = []
        for p in paths {
            var st = stat()
            if stat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
                out += listELFs(in: p)
            } else {
                out.append(p)
            }
        }
        return out
    }

    static func listELFs(in dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix(".") { continue }
            let path = dir + "/" + name
            var st = stat()
            guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            // ELF magic
            if let f = fopen(path, "rb") {
                var magic = [UInt8](repeating: 0, count: 4)
                let n = fread(&magic, 1, 4, f)
                fclose(f)
                if n == 4 && magic == [0x7F, 0x45, 0x4C, 0x46] { names.append(path) }
            }
        }
        return names.sorted()
    }

    public static func run(path: String, config: BoardConfig = BoardConfig(), maxInstructions: UInt64) -> Result {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let machine = Machine(config: config, uart: UART16550(outputFD: -1, inputFD: -1))
        do {
            try machine.load(path: path)
        } catch {
            return Result(name: name, path: path, passed: false, detail: error.description, instructions: 0, cycles: 0, console: "")
        }
        let stop = machine.run(maxInstructions: maxInstructions)
        let detail: String
        var passed = false
        switch stop {
        case .exited(0): detail = "pass"; passed = true
        case .exited(let c): detail = "exit code \(c)"
        case .instructionLimit: detail = "instruction limit"
        case .deadlock: detail = "WFI deadlock"
        case .quit: detail = "quit from the console"
        case .killedByDebugger: detail = "killed by gdb"
        }
        return Result(name: name, path: path, passed: passed, detail: detail, instructions: machine.hart.instret,
                      cycles: machine.hart.cycles, console: machine.bus.uart.transcriptString)
    }
}
