#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the console's received bytes come from: a script of bytes stamped with the cycle
/// at which they arrive (deterministic replay, `--console-input`), and/or a live file
/// descriptor (stdin) polled without blocking. On a live terminal, QEMU's escapes apply:
/// Ctrl-A x quits, Ctrl-A h prints the keys, Ctrl-A Ctrl-A sends a Ctrl-A.
public final class ConsoleInput {
    /// One scripted arrival.
    public struct Event: Equatable, Sendable {
        public var cycle: UInt64
        public var bytes: [UInt8]
        public init(cycle: UInt64, bytes: [UInt8]) {
            self.cycle = cycle
            self.bytes = bytes
        }
    }

    private var script: [Event]
    private var nextEvent = 0
    private let fd: Int32
    private let escapes: Bool
    private var sawEscape = false
    private var eof = false
    /// Bytes that have arrived and wait for room in the receive FIFO (the line is
    /// flow-controlled, as QEMU's character devices are: nothing typed is lost).
    var waiting: [UInt8] = []
    var waitingHead = 0
    /// Set by Ctrl-A x.
    public private(set) var quitRequested = false
    /// Where Ctrl-A h writes its help.
    public var helpFD: Int32 = 2

    /// `fd` < 0: no live input. `escapes`: interpret Ctrl-A sequences (interactive use).
    public init(script: [Event] = [], fd: Int32 = -1, escapes: Bool = false) {
        self.script = script.sorted { $0.cycle < $1.cycle }
        self.fd = fd
        self.escapes = escapes
    }

    /// Is there a live source that may still deliver input?
    public var isLive: Bool { fd >= 0 && !eof }

    /// Blocks until live input is readable (the hart sleeps in WFI waiting for it). Returns
    /// false when there is no live source any more.
    public func waitForLiveInput() -> Bool {
        guard isLive else { return false }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while poll(&p, 1, -1) < 0 && errno == EINTR {}
        // Take it in now: at EOF this marks the source dead, so a sleeping guest that can
        // never be woken is reported instead of polled for ever.
        return readLive() || quitRequested
    }

    /// Like `waitForLiveInput`, but also returns (true) when `other` becomes readable: the
    /// gdb stub's socket, so that a Ctrl-C reaches a board whose harts all sleep.
    public func waitForLiveInput(orReadable other: Int32) -> Bool {
        guard isLive else { return false }
        var p = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: other, events: Int16(POLLIN), revents: 0)]
        while poll(&p, 2, -1) < 0 && errno == EINTR {}
        if p[0].revents == 0 { return true }
        return readLive() || quitRequested
    }

    /// The cycle of the next scripted arrival, if any.
    public var nextEventCycle: UInt64? { nextEvent < script.count ? script[nextEvent].cycle : nil }

    /// Is there input that has arrived by `cycles` and not been taken yet?
    func hasWaiting(cycles: UInt64) -> Bool {
        arrive(cycles: cycles)
        return waitingHead < waiting.count
    }

    /// Takes the next arrived byte.
    func take(cycles: UInt64) -> UInt8? {
        arrive(cycles: cycles)
        guard waitingHead < waiting.count else { return nil }
        let b = waiting[waitingHead]
        waitingHead += 1
        if waitingHead == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            waitingHead = 0
        }
        return b
    }

    /// Takes in what has arrived by `cycles`: scripted events, and whatever the live source
    /// has (so EOF and Ctrl-A keys are seen even while the guest ignores the UART). The run
    /// loop calls this at every chunk boundary.
    public func pump(cycles: UInt64) { arrive(cycles: cycles) }

    private func arrive(cycles: UInt64) {
        while nextEvent < script.count && script[nextEvent].cycle <= cycles {
            waiting.append(contentsOf: script[nextEvent].bytes)
            nextEvent += 1
        }
        _ = readLive()
    }

    /// Reads what the live source has without blocking; false when nothing came.
    private func readLive() -> Bool {
        guard fd >= 0, !eof else { return false }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 0) > 0 else { return false }
        var buf = [UInt8](repeating: 0, count: 256)
        let n = read(fd, &buf, buf.count)
        if n <= 0 {
            eof = true
            return false
        }
        for b in buf[0..<n] { receive(b) }
        return true
    }

    private func receive(_ b: UInt8) {
        guard escapes else { waiting.append(b); return }
        if sawEscape {
            sawEscape = false
            switch b {
            case UInt8(ascii: "x"), UInt8(ascii: "X"): quitRequested = true
            case UInt8(ascii: "h"), UInt8(ascii: "H"), UInt8(ascii: "?"): printHelp()
            case 0x01: waiting.append(0x01)
            default: break
            }
        } else if b == 0x01 {
            sawEscape = true
        } else {
            waiting.append(b)
        }
    }

    private func printHelp() {
        let text = "\r\nC-a h    print this help\r\nC-a x    exit vireo\r\nC-a C-a  send C-a\r\n"
        _ = text.withCString { write(helpFD, $0, strlen($0)) }
    }

    /// Parses a `--console-input` script: one arrival per line, `CYCLE TEXT`, where TEXT is
    /// the rest of the line with escapes \n \r \t \\ \e and \xHH; blank lines and lines
    /// starting with # are skipped. Throws a message naming the line on bad input.
    public static func parseScript(_ text: String) throws(ScriptError) -> [Event] {
        var events: [Event] = []
        for (i, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            guard let cycle = UInt64(parts[0]) else {
                throw ScriptError(line: i + 1, message: "expected a cycle count, found '\(parts[0])'")
            }
            let body = parts.count > 1 ? Array(parts[1].utf8) : []
            var bytes: [UInt8] = []
            var j = 0
            while j < body.count {
                let c = body[j]
                j += 1
                guard c == UInt8(ascii: "\\") else { bytes.append(c); continue }
                guard j < body.count else { throw ScriptError(line: i + 1, message: "a line cannot end with \\") }
                let e = body[j]
                j += 1
                switch e {
                case UInt8(ascii: "n"): bytes.append(10)
                case UInt8(ascii: "r"): bytes.append(13)
                case UInt8(ascii: "t"): bytes.append(9)
                case UInt8(ascii: "e"): bytes.append(27)
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "x"):
                    guard j + 2 <= body.count, let v = UInt8(String(decoding: body[j..<(j + 2)], as: UTF8.self), radix: 16) else {
                        throw ScriptError(line: i + 1, message: "\\x needs two hex digits")
                    }
                    bytes.append(v)
                    j += 2
                default:
                    throw ScriptError(line: i + 1, message: "unknown escape \\\(Character(Unicode.Scalar(e)))")
                }
            }
            events.append(Event(cycle: cycle, bytes: bytes))
        }
        return events
    }

    public struct ScriptError: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }
}
