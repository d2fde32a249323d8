/// Column output for Dom0's shell: `list` in the layout of Xen's `xl list` (xl(1) "list";
/// tools/xl/xl_list.c), and a general table for `ls`, `info` and `stats`.
///
/// Widths count bytes: names are ASCII (see `GuestConfig.isValidName`).
///
/// Written for bare metal (also compiled in Embedded Swift mode into Dom0): no Foundation,
/// no floating point.

/// The six-character state column of `xl list`. xl(1) documents each position:
/// - `r` running: the domain is running on a CPU;
/// - `b` blocked: not running or runnable (waiting for I/O or idle);
/// - `p` paused: paused by `xl pause`; it takes no CPU time until unpaused;
/// - `s` shutdown: the guest OS asked to be shut down (or rebooted, suspended…);
/// - `c` crashed: the domain crashed (always a violent ending); usually seen only when the
///   domain is not restarted on a crash;
/// - `d` dying: being destroyed, not completely gone yet.
/// A cleared flag prints '-'. ("r-----" running, "-b----" blocked, "--p---" paused, "---s--"
/// shut down, "----c-" crashed, "-----d" dying.) xl itself prints, in the fifth position, the
/// letter of the shutdown reason ("-rscwS": poweroff, reboot, suspend, crash, watchdog,
/// soft reset), so a crashed domain that xl keeps appears there as "c".
public struct DomainStateFlags: Equatable, CustomStringConvertible {
    public var running: Bool
    public var blocked: Bool
    public var paused: Bool
    public var shutdown: Bool
    public var crashed: Bool
    public var dying: Bool

    public init(
        running: Bool = false, blocked: Bool = false, paused: Bool = false,
        shutdown: Bool = false, crashed: Bool = false, dying: Bool = false
    ) {
        self.running = running
        self.blocked = blocked
        self.paused = paused
        self.shutdown = shutdown
        self.crashed = crashed
        self.dying = dying
    }

    /// "r-----", "--p---", …
    public var description: String {
        let letters: [UInt8] = [
            running ? 0x72 : 0x2D, blocked ? 0x62 : 0x2D, paused ? 0x70 : 0x2D,
            shutdown ? 0x73 : 0x2D, crashed ? 0x63 : 0x2D, dying ? 0x64 : 0x2D,
        ]
        return String(decoding: letters, as: UTF8.self)
    }
}

/// A domain's state as the hypervisor reports it, one at a time.
public enum DomainState: Equatable {
    case running
    case blocked
    case paused
    case shutdown
    case crashed
    case dying

    /// The `xl list` flags with this state's one letter set.
    public var flags: DomainStateFlags {
        switch self {
        case .running: return DomainStateFlags(running: true)
        case .blocked: return DomainStateFlags(blocked: true)
        case .paused: return DomainStateFlags(paused: true)
        case .shutdown: return DomainStateFlags(shutdown: true)
        case .crashed: return DomainStateFlags(crashed: true)
        case .dying: return DomainStateFlags(dying: true)
        }
    }
}

/// One row of `list`.
public struct DomainListEntry: Equatable {
    public var name: String
    public var id: UInt32
    public var memoryMiB: UInt64
    public var vcpus: Int
    public var state: DomainStateFlags
    /// CPU time used, in nanoseconds (shown in seconds with one decimal).
    public var cpuTimeNanoseconds: UInt64

    public init(
        name: String, id: UInt32, memoryMiB: UInt64, vcpus: Int, state: DomainStateFlags,
        cpuTimeNanoseconds: UInt64
    ) {
        self.name = name
        self.id = id
        self.memoryMiB = memoryMiB
        self.vcpus = vcpus
        self.state = state
        self.cpuTimeNanoseconds = cpuTimeNanoseconds
    }
}

/// `xl list`'s layout, byte for byte: the header
/// `"Name" + 40 spaces + "ID   Mem VCPUs\tState\tTime(s)"` and rows formatted as
/// `printf("%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f", name, id, mem, vcpus, flags…, secs)`.
/// The header's tabs land on the rows' columns with 8-column tab stops. Names longer than
/// 40 bytes push the rest of their row right, as in xl.
public enum DomainList {
    public static let header = "Name                                        ID   Mem VCPUs\tState\tTime(s)"

    /// One row, without a line ending.
    public static func row(_ entry: DomainListEntry) -> String {
        var line = TextPadding.left(entry.name, width: 40)
        line += " " + TextPadding.right(String(entry.id), width: 5)
        line += " " + TextPadding.right(String(entry.memoryMiB), width: 5)
        line += " " + TextPadding.right(String(entry.vcpus), width: 5)
        line += "     " + entry.state.description
        line += "  " + TextPadding.right(seconds(entry.cpuTimeNanoseconds), width: 8)
        return line
    }

    /// The header and one row per entry, each line ending with `lineEnding`.
    public static func text(_ entries: [DomainListEntry], lineEnding: String = "\n") -> String {
        var out = header + lineEnding
        for entry in entries { out += row(entry) + lineEnding }
        return out
    }

    /// Nanoseconds as seconds with one decimal, rounded to the nearest tenth (halves up):
    /// 1_250_000_000 → "1.3", 0 → "0.0".
    public static func seconds(_ nanoseconds: UInt64) -> String {
        let tenths = nanoseconds / 100_000_000 + (nanoseconds % 100_000_000 >= 50_000_000 ? 1 : 0)
        return String(tenths / 10) + "." + String(tenths % 10)
    }
}

/// A table with a title row, columns as wide as their widest cell, left- or right-aligned,
/// separated by `separator`; trailing spaces are not written.
public struct ColumnTable {
    public enum Alignment: Equatable {
        case left
        case right
    }

    public struct Column: Equatable {
        public var title: String
        public var alignment: Alignment

        public init(_ title: String, _ alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
        }
    }

    public let columns: [Column]
    public let separator: String
    public private(set) var rows: [[String]] = []

    public init(_ columns: [Column], separator: String = "  ") {
        self.columns = columns
        self.separator = separator
    }

    /// Adds a row; missing cells are empty, extra cells are dropped.
    public mutating func append(_ row: [String]) {
        var cells = Array(row.prefix(columns.count))
        while cells.count < columns.count { cells.append("") }
        rows.append(cells)
    }

    /// The title line and one line per row, without line endings.
    public func lines() -> [String] {
        var widths = columns.map { $0.title.utf8.count }
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.utf8.count) }
        }
        var result: [String] = []
        result.append(line(columns.map { $0.title }, widths: widths))
        for row in rows { result.append(line(row, widths: widths)) }
        return result
    }

    /// All lines, each ending with `lineEnding`.
    public func text(lineEnding: String = "\n") -> String {
        var out = ""
        for line in lines() { out += line + lineEnding }
        return out
    }

    private func line(_ cells: [String], widths: [Int]) -> String {
        var out = ""
        for (i, cell) in cells.enumerated() {
            if i > 0 { out += separator }
            switch columns[i].alignment {
            case .left: out += TextPadding.left(cell, width: widths[i])
            case .right: out += TextPadding.right(cell, width: widths[i])
            }
        }
        return TextPadding.trimmingTrailingSpaces(out)
    }
}

/// Padding by byte count (ASCII text).
public enum TextPadding {
    /// `text` followed by spaces up to `width` bytes (never cut).
    public static func left(_ text: String, width: Int) -> String {
        let count = text.utf8.count
        guard count < width else { return text }
        return text + String(decoding: [UInt8](repeating: 0x20, count: width - count), as: UTF8.self)
    }

    /// Spaces up to `width` bytes, then `text` (never cut).
    public static func right(_ text: String, width: Int) -> String {
        let count = text.utf8.count
        guard count < width else { return text }
        return String(decoding: [UInt8](repeating: 0x20, count: width - count), as: UTF8.self) + text
    }

    static func trimmingTrailingSpaces(_ text: String) -> String {
        var bytes = Array(text.utf8)
        while bytes.last == 0x20 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
