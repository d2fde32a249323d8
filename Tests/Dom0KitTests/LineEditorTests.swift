import Dom0Kit
import Testing

/// Byte sequences in, exact echo bytes and events out.
@Suite("LineEditor: serial console line editing")
struct LineEditorTests {
    static let bs = "\u{8}"
    static let bell = "\u{7}"
    static let up = "\u{1b}[A"
    static let down = "\u{1b}[B"
    static let right = "\u{1b}[C"
    static let left = "\u{1b}[D"

    static func bs(_ n: Int) -> String { String(repeating: bs, count: n) }
    static func spaces(_ n: Int) -> String { String(repeating: " ", count: n) }

    /// Feeds `input` and returns the events and the echo as text.
    static func feed(_ editor: inout LineEditor, _ input: String) -> ([LineEditorEvent], String) {
        var output: [UInt8] = []
        let events = editor.feed(Array(input.utf8), output: &output)
        return (events, String(decoding: output, as: UTF8.self))
    }

    @Test("Typing and Enter (CR, LF, CR LF counted once)")
    func enter() {
        var editor = LineEditor()
        #expect(Self.feed(&editor, "ls\r") == ([.line("ls")], "ls\r\n"))
        #expect(Self.feed(&editor, "\n") == ([], ""))  // the LF of CR LF
        #expect(Self.feed(&editor, "a\r\nb\n") == ([.line("a"), .line("b")], "a\r\nb\r\n"))
        #expect(Self.feed(&editor, "\n\r\r") == ([.line(""), .line(""), .line("")], "\r\n\r\n\r\n"))
        #expect(Self.feed(&editor, "\r") == ([.line("")], "\r\n"))
        #expect(Self.feed(&editor, "x\n") == ([.line("x")], "x\r\n"))  // LF after something else
        #expect(editor.buffer.isEmpty)
        #expect(editor.cursor == 0)
        // One byte at a time, with the returned event.
        var output: [UInt8] = []
        #expect(editor.feed(0x71, output: &output) == nil)
        #expect(editor.feed(0x0D, output: &output) == .line("q"))
        #expect(editor.feed(0x0A, output: &output) == nil)
        #expect(output == Array("q\r\n".utf8))
    }

    @Test("Backspace (DEL and BS): nothing at the start, \\b \\b at the end")
    func backspace() {
        var editor = LineEditor()
        #expect(Self.feed(&editor, "\u{7f}\u{8}") == ([], ""))
        #expect(Self.feed(&editor, "abc\u{7f}") == ([], "abc\u{8} \u{8}"))
        #expect(Self.feed(&editor, "\u{8}") == ([], "\u{8} \u{8}"))
        #expect(editor.line == "a")
        #expect(Self.feed(&editor, "\u{7f}\u{7f}\u{7f}") == ([], "\u{8} \u{8}"))
        #expect(editor.line == "")
        #expect(Self.feed(&editor, "ok\r") == ([.line("ok")], "ok\r\n"))
    }

    @Test("Ctrl-U kills the line, from the end and from the middle")
    func killLine() {
        var editor = LineEditor()
        #expect(Self.feed(&editor, "hello\u{15}") == ([], "hello" + Self.bs(5) + Self.spaces(5) + Self.bs(5)))
        #expect(editor.line == "")
        #expect(Self.feed(&editor, "\u{15}") == ([], ""))
        let (_, out) = Self.feed(&editor, "hello" + Self.left + Self.left + "\u{15}")
        #expect(out == "hello" + Self.bs + Self.bs + Self.bs(3) + Self.spaces(5) + Self.bs(5))
        #expect(editor.line == "")
        #expect(editor.cursor == 0)
        #expect(Self.feed(&editor, "x\r") == ([.line("x")], "x\r\n"))
    }

    @Test("Ctrl-C cancels: ^C and a new line, nothing stored in the history")
    func cancel() {
        var editor = LineEditor()
        #expect(Self.feed(&editor, "abc\u{3}") == ([.cancelled], "abc^C\r\n"))
        #expect(editor.line == "")
        #expect(editor.history.isEmpty)
        #expect(Self.feed(&editor, "\u{3}") == ([.cancelled], "^C\r\n"))
        // In the middle of an escape sequence too.
        #expect(Self.feed(&editor, "x\u{1b}[\u{3}") == ([.cancelled], "x^C\r\n"))
        #expect(Self.feed(&editor, "y\r") == ([.line("y")], "y\r\n"))
        #expect(Self.feed(&editor, Self.up) == ([], "y"))
    }

    @Test("History: up and down across three entries, back to the line being typed")
    func history() {
        var editor = LineEditor()
        _ = Self.feed(&editor, "one\rtwo\rthree\r")
        #expect(editor.history == ["one", "two", "three"])
        #expect(Self.feed(&editor, Self.up).1 == "three")
        #expect(Self.feed(&editor, Self.up).1 == Self.bs(5) + "two" + "  " + Self.bs(2))
        #expect(Self.feed(&editor, Self.up).1 == Self.bs(3) + "one")
        #expect(Self.feed(&editor, Self.up).1 == Self.bell)  // no older entry
        #expect(editor.line == "one")
        #expect(Self.feed(&editor, Self.down).1 == Self.bs(3) + "two")
        #expect(Self.feed(&editor, Self.down).1 == Self.bs(3) + "three")
        #expect(Self.feed(&editor, Self.down).1 == Self.bs(5) + Self.spaces(5) + Self.bs(5))
        #expect(editor.line == "")
        #expect(Self.feed(&editor, Self.down).1 == Self.bell)  // not browsing
        // The line being typed comes back after the newest entry.
        #expect(Self.feed(&editor, "dr" + Self.up).1 == "dr" + Self.bs(2) + "three")
        #expect(Self.feed(&editor, Self.down).1 == Self.bs(5) + "dr" + "   " + Self.bs(3))
        #expect(editor.line == "dr")
        #expect(editor.cursor == 2)
        // SS3 arrows (application cursor mode) and Ctrl-P / Ctrl-N.
        #expect(Self.feed(&editor, "\u{15}\u{1b}OA").1 == Self.bs(2) + Self.spaces(2) + Self.bs(2) + "three")
        #expect(Self.feed(&editor, "\u{10}").1 == Self.bs(5) + "two" + "  " + Self.bs(2))
        #expect(Self.feed(&editor, "\u{e}").1 == Self.bs(3) + "three")
        #expect(Self.feed(&editor, "\u{1b}OB").1 == Self.bs(5) + Self.spaces(5) + Self.bs(5))
        // Submitting a recalled, edited line.
        _ = Self.feed(&editor, Self.up + Self.up)
        #expect(Self.feed(&editor, "!\r") == ([.line("two!")], "!\r\n"))
        #expect(editor.history == ["one", "two", "three", "two!"])
        // The recalled entry itself was not changed.
        #expect(Self.feed(&editor, Self.up + Self.up).1.hasSuffix("three"))
        #expect(Self.feed(&editor, "\u{3}").0 == [.cancelled])
        // Up on an empty history rings.
        var fresh = LineEditor()
        #expect(Self.feed(&fresh, Self.up) == ([], Self.bell))
    }

    @Test("History: no consecutive duplicates, no empty lines, bounded")
    func historyRules() {
        var editor = LineEditor(historyCapacity: 3)
        _ = Self.feed(&editor, "a\ra\r\r\rb\ra\r")
        #expect(editor.history == ["a", "b", "a"])
        _ = Self.feed(&editor, "c\rd\r")
        #expect(editor.history == ["a", "c", "d"])
        editor.addToHistory("")
        editor.addToHistory("d")
        #expect(editor.history == ["a", "c", "d"])
        editor.addToHistory("e")
        #expect(editor.history == ["c", "d", "e"])
        var none = LineEditor(historyCapacity: 0)
        _ = Self.feed(&none, "a\r")
        #expect(none.history.isEmpty)
        #expect(Self.feed(&none, Self.up).1 == Self.bell)
        var short = LineEditor(maxLength: 3)
        short.addToHistory("abcdef")
        #expect(short.history == ["abc"])
        #expect(LineEditor().maxLength == 256)
        #expect(LineEditor().historyCapacity == 32)
    }

    @Test("Left arrow, then insert and erase in the middle of the line")
    func middleEditing() {
        var editor = LineEditor()
        #expect(Self.feed(&editor, "helo" + Self.left).1 == "helo" + Self.bs)
        #expect(editor.cursor == 3)
        #expect(Self.feed(&editor, "l").1 == "lo" + Self.bs)
        #expect(editor.line == "hello")
        #expect(editor.cursor == 4)
        #expect(Self.feed(&editor, "\r") == ([.line("hello")], "\r\n"))

        #expect(Self.feed(&editor, "abcd" + Self.left + Self.left).1 == "abcd" + Self.bs(2))
        #expect(Self.feed(&editor, "\u{7f}").1 == Self.bs + "cd " + Self.bs(3))
        #expect(editor.line == "acd")
        #expect(editor.cursor == 1)
        #expect(Self.feed(&editor, Self.right).1 == "c")
        #expect(Self.feed(&editor, "\u{1}").1 == Self.bs(2))  // Ctrl-A
        #expect(Self.feed(&editor, Self.left).1 == "")  // already at column 0
        #expect(Self.feed(&editor, "\u{5}").1 == "acd")  // Ctrl-E
        #expect(Self.feed(&editor, Self.right).1 == "")  // already at the end
        #expect(Self.feed(&editor, "\u{2}\u{2}").1 == Self.bs(2))  // Ctrl-B twice
        #expect(Self.feed(&editor, "\u{1b}[3~").1 == "d " + Self.bs(2))  // Delete
        #expect(editor.line == "ad")
        #expect(Self.feed(&editor, "\u{6}").1 == "d")  // Ctrl-F
        #expect(Self.feed(&editor, "\u{4}").1 == "")  // Ctrl-D at the end
        #expect(Self.feed(&editor, "\u{1}\u{b}").1 == Self.bs(2) + "  " + Self.bs(2))  // Ctrl-A, Ctrl-K
        #expect(editor.line == "")
        #expect(Self.feed(&editor, "\u{b}").1 == "")

        // Insert at column 0 of a longer line.
        _ = Self.feed(&editor, "world\u{1}")
        #expect(Self.feed(&editor, "X").1 == "Xworld" + Self.bs(5))
        #expect(Self.feed(&editor, "\r").0 == [.line("Xworld")])
    }

    @Test("Home and End sequences", arguments: [
        ("\u{1b}[H", "\u{1b}[F"), ("\u{1b}OH", "\u{1b}OF"), ("\u{1b}[1~", "\u{1b}[4~"), ("\u{1b}[7~", "\u{1b}[8~"),
    ])
    func homeEnd(home: String, end: String) {
        var editor = LineEditor()
        #expect(Self.feed(&editor, "abc" + home).1 == "abc" + Self.bs(3))
        #expect(editor.cursor == 0)
        #expect(Self.feed(&editor, end).1 == "abc")
        #expect(editor.cursor == 3)
    }

    @Test("Overlong input is refused with a bell")
    func overlong() {
        var editor = LineEditor(maxLength: 5)
        #expect(Self.feed(&editor, "abcdefg").1 == "abcde" + Self.bell + Self.bell)
        #expect(editor.line == "abcde")
        #expect(Self.feed(&editor, Self.left + "x").1 == Self.bs + Self.bell)
        #expect(Self.feed(&editor, "\u{7f}x").1 == Self.bs + "e " + Self.bs(2) + "xe" + Self.bs)
        #expect(Self.feed(&editor, "\r") == ([.line("abcxe")], "\r\n"))
        var long = LineEditor()
        let (_, out) = Self.feed(&long, String(repeating: "z", count: 300))
        #expect(out == String(repeating: "z", count: 256) + String(repeating: Self.bell, count: 44))
        #expect(Self.feed(&long, "\r").0 == [.line(String(repeating: "z", count: 256))])
    }

    @Test("Unknown escape sequences and other bytes are swallowed", arguments: [
        "\u{1b}[200~", "\u{1b}[Z", "\u{1b}x", "\u{1b}OP", "\u{1b}[5~", "\u{1b}[2;5~", "\u{1b}[?25h",
        "\u{1b}[ q", "\u{9}", "\u{0}", "\u{1c}\u{1d}", "\u{1b}\u{1b}[99~",
    ].map { Array($0.utf8) } + [[0x80, 0xFF], [0x1B, 0x5B, 0x80], [0x1B, 0x4F, 0xC3]])
    func swallowed(sequence: [UInt8]) {
        var editor = LineEditor()
        var output: [UInt8] = []
        let events = editor.feed(Array("ab".utf8) + sequence + Array("c\r".utf8), output: &output)
        #expect(events == [.line("abc")])
        #expect(output == Array("abc\r\n".utf8))
    }

    @Test("Parameters: ESC [ 1 ; 5 C moves right like ESC [ C; a control byte ends a sequence")
    func sequenceDetails() {
        var editor = LineEditor()
        #expect(Self.feed(&editor, "ab\u{1}\u{1b}[1;5C").1 == "ab" + Self.bs(2) + "a")
        #expect(Self.feed(&editor, "\u{1b}[1\r") == ([.line("ab")], "\r\n"))
        #expect(Self.feed(&editor, "q\u{1b}\r") == ([.line("q")], "q\r\n"))
        #expect(Self.feed(&editor, "\u{1b}O\r") == ([.line("")], "\r\n"))
        #expect(Self.feed(&editor, "\u{1b}[99999999999999~z\r") == ([.line("z")], "z\r\n"))
        // DEL ends a sequence and erases.
        #expect(Self.feed(&editor, "ab\u{1b}[\u{7f}\u{1b}O\u{7f}\u{1b}\u{7f}") == ([], "ab" + "\u{8} \u{8}" + "\u{8} \u{8}"))
        #expect(Self.feed(&editor, "\r") == ([.line("")], "\r\n"))
    }

    @Test("render redraws the line and the cursor; resetLine drops it")
    func renderAndReset() {
        var editor = LineEditor()
        _ = Self.feed(&editor, "abc" + Self.left)
        var output: [UInt8] = []
        editor.render(into: &output)
        #expect(output == Array("abc\u{8}".utf8))
        editor.resetLine()
        #expect(editor.line == "")
        #expect(editor.cursor == 0)
        output.removeAll()
        editor.render(into: &output)
        #expect(output.isEmpty)
        // A sequence cut by resetLine does not leak into the next line.
        _ = Self.feed(&editor, "\u{1b}[")
        editor.resetLine()
        #expect(Self.feed(&editor, "A\r") == ([.line("A")], "A\r\n"))
    }
}
