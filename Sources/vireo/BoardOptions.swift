import ArgumentParser
import Board

/// Flags shared by every command that builds a board.
struct BoardOptions: ParsableArguments {
    @Option(name: .long, help: "Guest DRAM size: bytes, or with a K/M/G suffix (default 256M).")
    var memory: String = "256M"

    func config() throws -> BoardConfig {
        var c = BoardConfig()
        c.memoryBytes = try parseSize(memory)
        return c
    }
}

/// Parses "256M", "1G", "65536", "512K" into bytes; DRAM must be 4 KiB-aligned and fit
/// below the top of the 64-bit address space from 0x8000_0000.
func parseSize(_ text: String) throws -> UInt64 {
    var digits = Substring(text)
    var scale: UInt64 = 1
    if let last = text.last, !last.isNumber {
        switch last.uppercased() {
        case "K": scale = 1 << 10
        case "M": scale = 1 << 20
        case "G": scale = 1 << 30
        default: throw ValidationError("--memory \(text): unknown size suffix '\(last)' (use K, M or G)")
        }
        digits = digits.dropLast()
    }
    guard let n = UInt64(digits), n > 0 else { throw ValidationError("--memory \(text): not a size") }
    let (bytes, overflow) = n.multipliedReportingOverflow(by: scale)
    guard !overflow, bytes <= 64 << 30 else { throw ValidationError("--memory \(text): more than 64G") }
    guard bytes % 4096 == 0, bytes >= 1 << 20 else {
        throw ValidationError("--memory \(text): must be at least 1M and a multiple of 4K")
    }
    return bytes
}
