/// Why an ELF file cannot be loaded by the board.
public struct ELFError: Error, CustomStringConvertible, Equatable {
    public enum Reason: Equatable, Sendable {
        /// The file could not be read; the payload is the system's message (strerror).
        case cannotOpen(String)
        /// The file does not start with the ELF magic.
        case notELF
        /// An ELF file for something else; the payload says what, e.g. "x86-64 (EM_X86_64)".
        case notRISCV64(String)
        /// Not `ET_EXEC`; the payload says what it is, e.g. "relocatable object (ET_REL)".
        case notExecutable(String)
        /// Something needs bytes beyond the end of the file.
        case truncated(String)
        /// No `PT_LOAD` segment with a non-zero memory size.
        case noLoadableSegments
        /// Two loadable segments overlap in physical memory: the start addresses of both.
        case overlappingSegments(UInt64, UInt64)
        /// A segment `[start, end)` lies outside every memory region (described in the payload).
        case outsideMemory(UInt64, UInt64, String)
        /// Anything else that is wrong with the file.
        case malformed(String)
    }

    public var path: String
    public var reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    /// One line: "<path>: <reason in plain words>".
    public var description: String {
        "\(path): \(explanation)"
    }

    private var explanation: String {
        switch reason {
        case .cannotOpen(let message):
            return "cannot open: \(message)"
        case .notELF:
            return "not an ELF file (no \\x7fELF magic)"
        case .notRISCV64(let what):
            return "not a RISC-V 64-bit executable: \(what)"
        case .notExecutable(let what):
            return "not an executable: \(what)"
        case .truncated(let what):
            return "truncated: \(what)"
        case .noLoadableSegments:
            return "no loadable segments (no PT_LOAD program header with a non-zero memory size)"
        case .overlappingSegments(let first, let second):
            return "segment at \(Hex.format(first)) overlaps segment at \(Hex.format(second))"
        case .outsideMemory(let start, let end, let regions):
            return "segment \(Hex.format(start))-\(Hex.format(end)) lies outside memory (\(regions))"
        case .malformed(let what):
            return "malformed ELF: \(what)"
        }
    }
}
