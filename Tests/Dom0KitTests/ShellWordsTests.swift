import Dom0Kit
import Testing

@Suite("ShellWords: splitting shell lines")
struct ShellWordsTests {
    static func split(_ line: String) -> Result<[String], ShellWordsError> {
        do throws(ShellWordsError) {
            return .success(try ShellWords.split(line))
        } catch {
            return .failure(error)
        }
    }

    @Test("Words, quotes and escapes", arguments: [
        ("create linux.cfg extra=\"console=ttyS0 quiet\"", ["create", "linux.cfg", "extra=console=ttyS0 quiet"]),
        ("", []),
        ("   \t  ", []),
        ("  list  ", ["list"]),
        ("pause\t3", ["pause", "3"]),
        ("a  b   c", ["a", "b", "c"]),
        ("'single quoted' word", ["single quoted", "word"]),
        ("'it''s'", ["its"]),
        ("'a\\b'", ["a\\b"]),
        ("\"a\\\"b\"", ["a\"b"]),
        ("\"a\\\\b\"", ["a\\b"]),
        ("\"a\\nb\"", ["a\\nb"]),
        ("\"\\$HOME \\`x\\`\"", ["$HOME `x`"]),
        ("a\\ b", ["a b"]),
        ("\\'x\\'", ["'x'"]),
        ("\\\\", ["\\"]),
        ("\"\"", [""]),
        ("''", [""]),
        ("a \"\" b", ["a", "", "b"]),
        ("x=\"\"", ["x="]),
        ("pre\"mid dle\"'post fix'", ["premid dlepost fix"]),
        ("extra='console=hvc0 \"q\"'", ["extra=console=hvc0 \"q\""]),
        ("\"it's\"", ["it's"]),
        ("caf\u{e9} \u{2603}", ["caf\u{e9}", "\u{2603}"]),
    ])
    func words(line: String, words: [String]) throws {
        #expect(try Self.split(line).get() == words)
    }

    @Test("Errors", arguments: [
        ("create \"linux.cfg", "unterminated \" quote (opened at column 8)"),
        ("'abc", "unterminated ' quote (opened at column 1)"),
        ("a \"b\" 'c", "unterminated ' quote (opened at column 7)"),
        ("\"a\\\"", "unterminated \" quote (opened at column 1)"),
        ("abc\\", "backslash at the end of the line"),
        ("\\", "backslash at the end of the line"),
    ])
    func errors(line: String, message: String) {
        guard case .failure(let error) = Self.split(line) else {
            Issue.record("accepted \(line)")
            return
        }
        #expect(error.message == message)
        #expect(error.description == message)
    }

    @Test("Error values")
    func errorValues() {
        #expect(Self.split("x 'y") == .failure(.unterminatedQuote(quote: 0x27, column: 3)))
        #expect(Self.split("x\\") == .failure(.trailingBackslash))
    }

    @Test("quote gives back a word that splits to itself", arguments: [
        "plain", "", "two words", "it's", "a\"b", "back\\slash", "tab\there", "extra=console=hvc0 quiet", "'",
    ])
    func quoteRoundTrip(word: String) throws {
        let quoted = ShellWords.quote(word)
        #expect(try Self.split(quoted).get() == [word])
        #expect(try Self.split("cmd " + quoted + " end").get() == ["cmd", word, "end"])
    }

    @Test("quote leaves plain words alone")
    func quotePlain() {
        #expect(ShellWords.quote("linux.cfg") == "linux.cfg")
        #expect(ShellWords.quote("a b") == "'a b'")
        #expect(ShellWords.quote("it's") == "'it'\\''s'")
        #expect(ShellWords.quote("") == "''")
    }

    @Test("Bytes in, the same words out")
    func bytes() throws {
        #expect(try ShellWords.split(Array("a 'b c'".utf8)) == ["a", "b c"])
    }
}
