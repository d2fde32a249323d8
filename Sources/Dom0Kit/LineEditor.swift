/// A line editor for Dom0's serial console shell (DESIGN §4): feed it the bytes the terminal
/// sends, write the bytes it appends to `output` back to the terminal, and act on the events
/// it returns (a completed line, or a line cancelled with Ctrl-C).
///
/// The redraw uses only backspace (0x08, cursor left), spaces and the line's own characters,
/// so it works on any terminal that moves the cursor left on BS, including a dumb one; it
/// never needs to know the prompt. The exact bytes:
/// - insert at the cursor: the new character and the rest of the line, then one BS per
///   character after the cursor;
/// - erase before the cursor (DEL 0x7F or BS 0x08): BS, the rest of the line, a space, then
///   BS back over the rest and the space ("\b \b" at the end of the line); nothing at column 0;
/// - delete under the cursor (Ctrl-D, `ESC [ 3 ~`): the rest of the line after it, a space,
///   then BS back;
/// - left (`ESC [ D`, `ESC O D`, Ctrl-B): BS; right (`ESC [ C`, `ESC O C`, Ctrl-F): the
///   character under the cursor; home (Ctrl-A, `ESC [ H`, `ESC O H`, `ESC [ 1 ~`, `ESC [ 7 ~`):
///   one BS per column; end (Ctrl-E, `ESC [ F`, `ESC O F`, `ESC [ 4 ~`, `ESC [ 8 ~`): the rest
///   of the line; nothing when the cursor cannot move;
/// - replace the line (history, Ctrl-U): BS to column 0, the new line, then spaces over what
///   is left of the old one and BS back to the end of the new one; the cursor ends at the end;
/// - Ctrl-K (kill to end): spaces over the rest, then BS back;
/// - Enter (CR or LF; the LF of a CR LF pair is ignored): "\r\n", event `.line`;
/// - Ctrl-C: "^C\r\n", event `.cancelled`, line discarded;
/// - a character that would make the line longer than `maxLength`, up (Ctrl-P, `ESC [ A`,
///   `ESC O A`) with no older entry, down (Ctrl-N, `ESC [ B`, `ESC O B`) when not in the
///   history: BEL (0x07).
///
/// Escape sequences are ECMA-48 control sequences (`ESC [` parameters, intermediates, final
/// byte 0x40–0x7E) and SS3 (`ESC O` + one byte); unknown ones are swallowed whole, `ESC` plus
/// any other printable byte (Alt-key) is swallowed, a byte ≥ 0x80 ends a sequence and is
/// dropped, and a control character (DEL included) inside a sequence ends it and then acts
/// normally. Other control characters and bytes ≥ 0x80 are ignored:
/// lines are ASCII, one column per byte.
///
/// History: completed non-empty lines, oldest first, at most `historyCapacity`, a line equal
/// to the newest entry not added again. Up/down browse it; the line being typed is kept and
/// comes back after the newest entry. Editing a recalled line does not change the entry.
///
/// Written for bare metal (also compiled in Embedded Swift mode into Dom0).

/// What a byte completed.
public enum LineEditorEvent: Equatable {
    /// Enter: the line (without the line ending).
    case line(String)
    /// Ctrl-C: the line was discarded.
    case cancelled
}

public struct LineEditor {
    public static let bell: UInt8 = 0x07
    public static let backspace: UInt8 = 0x08

    /// Longest line, in bytes.
    public let maxLength: Int
    /// Most history entries kept.
    public let historyCapacity: Int

    /// The line being edited.
    public private(set) var buffer: [UInt8] = []
    /// Cursor column within `buffer` (0…buffer.count).
    public private(set) var cursor = 0
    /// Completed lines, oldest first.
    public private(set) var history: [String] = []

    /// The history entry shown, while browsing.
    private var historyIndex: Int? = nil
    /// The line typed before browsing started.
    private var draft: [UInt8] = []
    private var escape = EscapeState.none
    private var afterCR = false

    private enum EscapeState {
        case none
        /// After ESC.
        case escape
        /// After `ESC [`: the first numeric parameter so far, and whether a `;` ended it.
        case csi(parameter: Int, done: Bool)
        /// After `ESC O`.
        case ss3
    }

    public init(maxLength: Int = 256, historyCapacity: Int = 32) {
        self.maxLength = max(1, maxLength)
        self.historyCapacity = max(0, historyCapacity)
    }

    /// The line being edited, as text.
    public var line: String { String(decoding: buffer, as: UTF8.self) }

    /// Feeds bytes; returns the events they completed, in order.
    public mutating func feed(_ bytes: [UInt8], output: inout [UInt8]) -> [LineEditorEvent] {
        var events: [LineEditorEvent] = []
        for byte in bytes {
            if let event = feed(byte, output: &output) { events.append(event) }
        }
        return events
    }

    /// Feeds one byte, appending the bytes to echo to `output`.
    public mutating func feed(_ byte: UInt8, output: inout [UInt8]) -> LineEditorEvent? {
        let wasCR = afterCR
        afterCR = false

        switch escape {
        case .none:
            break
        case .escape:
            escape = .none
            if byte == 0x5B {  // [
                escape = .csi(parameter: 0, done: false)
                return nil
            }
            if byte == 0x4F {  // O
                escape = .ss3
                return nil
            }
            if byte >= 0x20 && byte != 0x7F { return nil }  // Alt-key: swallowed
        case .csi(let parameter, let done):
            switch byte {
            case 0x30...0x39:
                let value = done ? parameter : min(parameter * 10 + Int(byte - 0x30), 9999)
                escape = .csi(parameter: value, done: done)
                return nil
            case 0x3A...0x3F:  // ; and other parameter bytes
                escape = .csi(parameter: parameter, done: true)
                return nil
            case 0x20...0x2F:  // intermediates
                return nil
            case 0x40...0x7E:
                escape = .none
                performSequence(final: byte, parameter: parameter, output: &output)
                return nil
            default:
                escape = .none
                if byte >= 0x20 && byte != 0x7F { return nil }
            }
        case .ss3:
            escape = .none
            if byte >= 0x40 && byte <= 0x7E {
                performSequence(final: byte, parameter: 0, output: &output)
                return nil
            }
            if byte >= 0x20 && byte != 0x7F { return nil }
        }

        switch byte {
        case 0x0D:
            afterCR = true
            return submit(output: &output)
        case 0x0A:
            if wasCR { return nil }
            return submit(output: &output)
        case 0x1B:
            escape = .escape
        case 0x7F, 0x08:
            eraseBeforeCursor(output: &output)
        case 0x03:
            output += [0x5E, 0x43, 0x0D, 0x0A]  // ^C\r\n
            resetLine()
            return .cancelled
        case 0x15:  // Ctrl-U
            replaceLine(with: [], output: &output)
        case 0x0B:  // Ctrl-K
            killToEnd(output: &output)
        case 0x01: home(output: &output)  // Ctrl-A
        case 0x05: end(output: &output)  // Ctrl-E
        case 0x02: left(output: &output)  // Ctrl-B
        case 0x06: right(output: &output)  // Ctrl-F
        case 0x10: up(output: &output)  // Ctrl-P
        case 0x0E: down(output: &output)  // Ctrl-N
        case 0x04: deleteUnderCursor(output: &output)  // Ctrl-D
        case 0x20...0x7E:
            insert(byte, output: &output)
        default:
            break
        }
        return nil
    }

    /// Writes the current line and moves the terminal's cursor to the editor's cursor: for
    /// redrawing after the caller printed something (a prompt on a fresh line) over it.
    public func render(into output: inout [UInt8]) {
        output += buffer
        output += repeatElement(LineEditor.backspace, count: buffer.count - cursor)
    }

    /// Drops the line being edited (no output), e.g. when the shell leaves editing mode.
    public mutating func resetLine() {
        buffer.removeAll()
        cursor = 0
        historyIndex = nil
        draft.removeAll()
        escape = .none
    }

    /// Adds a line to the history: ignored when empty or equal to the newest entry; the oldest
    /// entry goes when the history is full. Lines longer than `maxLength` are cut.
    public mutating func addToHistory(_ line: String) {
        guard historyCapacity > 0 else { return }
        var bytes = Array(line.utf8)
        if bytes.count > maxLength { bytes.removeLast(bytes.count - maxLength) }
        guard !bytes.isEmpty else { return }
        if let newest = history.last, newest.utf8.elementsEqual(bytes) { return }
        if history.count >= historyCapacity { history.removeFirst(history.count - historyCapacity + 1) }
        history.append(String(decoding: bytes, as: UTF8.self))
    }

    // MARK: - Editing

    private mutating func performSequence(final: UInt8, parameter: Int, output: inout [UInt8]) {
        switch final {
        case 0x41: up(output: &output)  // A
        case 0x42: down(output: &output)  // B
        case 0x43: right(output: &output)  // C
        case 0x44: left(output: &output)  // D
        case 0x48: home(output: &output)  // H
        case 0x46: end(output: &output)  // F
        case 0x7E:  // ~
            switch parameter {
            case 1, 7: home(output: &output)
            case 4, 8: end(output: &output)
            case 3: deleteUnderCursor(output: &output)
            default: break
            }
        default:
            break
        }
    }

    private mutating func submit(output: inout [UInt8]) -> LineEditorEvent {
        output += [0x0D, 0x0A]
        let text = line
        addToHistory(text)
        resetLine()
        return .line(text)
    }

    private mutating func insert(_ byte: UInt8, output: inout [UInt8]) {
        guard buffer.count < maxLength else {
            output.append(LineEditor.bell)
            return
        }
        buffer.insert(byte, at: cursor)
        output += buffer[cursor...]
        output += repeatElement(LineEditor.backspace, count: buffer.count - cursor - 1)
        cursor += 1
    }

    private mutating func eraseBeforeCursor(output: inout [UInt8]) {
        guard cursor > 0 else { return }
        cursor -= 1
        buffer.remove(at: cursor)
        output.append(LineEditor.backspace)
        output += buffer[cursor...]
        output.append(0x20)
        output += repeatElement(LineEditor.backspace, count: buffer.count - cursor + 1)
    }

    private mutating func deleteUnderCursor(output: inout [UInt8]) {
        guard cursor < buffer.count else { return }
        buffer.remove(at: cursor)
        output += buffer[cursor...]
        output.append(0x20)
        output += repeatElement(LineEditor.backspace, count: buffer.count - cursor + 1)
    }

    private mutating func killToEnd(output: inout [UInt8]) {
        let count = buffer.count - cursor
        guard count > 0 else { return }
        buffer.removeLast(count)
        output += repeatElement(0x20, count: count)
        output += repeatElement(LineEditor.backspace, count: count)
    }

    private mutating func left(output: inout [UInt8]) {
        guard cursor > 0 else { return }
        cursor -= 1
        output.append(LineEditor.backspace)
    }

    private mutating func right(output: inout [UInt8]) {
        guard cursor < buffer.count else { return }
        output.append(buffer[cursor])
        cursor += 1
    }

    private mutating func home(output: inout [UInt8]) {
        output += repeatElement(LineEditor.backspace, count: cursor)
        cursor = 0
    }

    private mutating func end(output: inout [UInt8]) {
        output += buffer[cursor...]
        cursor = buffer.count
    }

    private mutating func up(output: inout [UInt8]) {
        let index: Int
        if let current = historyIndex {
            guard current > 0 else {
                output.append(LineEditor.bell)
                return
            }
            index = current - 1
        } else {
            guard !history.isEmpty else {
                output.append(LineEditor.bell)
                return
            }
            draft = buffer
            index = history.count - 1
        }
        historyIndex = index
        replaceLine(with: Array(history[index].utf8), output: &output)
    }

    private mutating func down(output: inout [UInt8]) {
        guard let current = historyIndex else {
            output.append(LineEditor.bell)
            return
        }
        if current + 1 < history.count {
            historyIndex = current + 1
            replaceLine(with: Array(history[current + 1].utf8), output: &output)
        } else {
            historyIndex = nil
            let saved = draft
            draft.removeAll()
            replaceLine(with: saved, output: &output)
        }
    }

    /// Shows `new` instead of the current line, cursor at its end.
    private mutating func replaceLine(with new: [UInt8], output: inout [UInt8]) {
        output += repeatElement(LineEditor.backspace, count: cursor)
        output += new
        if buffer.count > new.count {
            let extra = buffer.count - new.count
            output += repeatElement(0x20, count: extra)
            output += repeatElement(LineEditor.backspace, count: extra)
        }
        buffer = new
        cursor = new.count
    }
}
