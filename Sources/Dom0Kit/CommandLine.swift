/// Splitting a shell line into words, with the quoting rules of the POSIX shell (XCU 2.2
/// "Quoting", 2.6.5 "Field Splitting") restricted to what Dom0's shell needs: no expansions.
///
/// - Spaces and tabs separate words; any number of them, leading and trailing ignored.
/// - A backslash outside quotes keeps the next byte literally (`a\ b` is one word "a b").
/// - Single quotes keep everything up to the next single quote literally, backslashes included.
/// - Double quotes keep everything up to the next unescaped double quote; inside them a
///   backslash escapes only `"`, `\`, `$` and `` ` `` and stays a backslash before anything else.
/// - Quotes may start or end in the middle of a word and the pieces join:
///   `extra="console=ttyS0 quiet"` is the one word `extra=console=ttyS0 quiet`; `""` alone is an
///   empty word.
///
/// Errors: an unterminated quote, a backslash at the end of the line.
///
/// Written for bare metal (also compiled in Embedded Swift mode into Dom0).

/// Why a line could not be split.
public enum ShellWordsError: Error, Equatable, CustomStringConvertible {
    /// A quote (`'` or `"`) opened at `column` (1-based) is never closed.
    case unterminatedQuote(quote: UInt8, column: Int)
    /// The line ends with a backslash that escapes nothing.
    case trailingBackslash

    /// "unterminated \" quote (opened at column 8)", "backslash at the end of the line".
    public var message: String {
        switch self {
        case .unterminatedQuote(let quote, let column):
            return "unterminated " + String(decoding: [quote], as: UTF8.self)
                + " quote (opened at column " + String(column) + ")"
        case .trailingBackslash:
            return "backslash at the end of the line"
        }
    }

    public var description: String { message }
}

/// Shell-style word splitting (see the file comment).
public enum ShellWords {
    /// The words of `line`: `create linux.cfg extra="console=ttyS0 quiet"` →
    /// ["create", "linux.cfg", "extra=console=ttyS0 quiet"].
    public static func split(_ line: String) throws(ShellWordsError) -> [String] {
        try split(Array(line.utf8))
    }

    /// The words of a line given as bytes.
    public static func split(_ bytes: [UInt8]) throws(ShellWordsError) -> [String] {
        var words: [String] = []
        var word: [UInt8] = []
        var inWord = false  // true once a word started, even if empty ("")
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            switch c {
            case 0x20, 0x09:
                if inWord {
                    words.append(String(decoding: word, as: UTF8.self))
                    word.removeAll()
                    inWord = false
                }
                i += 1
            case 0x5C:  // backslash
                guard i + 1 < bytes.count else { throw .trailingBackslash }
                word.append(bytes[i + 1])
                inWord = true
                i += 2
            case 0x27:  // single quote
                let open = i
                i += 1
                while i < bytes.count && bytes[i] != 0x27 {
                    word.append(bytes[i])
                    i += 1
                }
                guard i < bytes.count else { throw .unterminatedQuote(quote: c, column: open + 1) }
                inWord = true
                i += 1
            case 0x22:  // double quote
                let open = i
                i += 1
                while i < bytes.count && bytes[i] != 0x22 {
                    if bytes[i] == 0x5C, i + 1 < bytes.count {
                        let next = bytes[i + 1]
                        if next == 0x22 || next == 0x5C || next == 0x24 || next == 0x60 {
                            word.append(next)
                            i += 2
                            continue
                        }
                    }
                    word.append(bytes[i])
                    i += 1
                }
                guard i < bytes.count else { throw .unterminatedQuote(quote: c, column: open + 1) }
                inWord = true
                i += 1
            default:
                word.append(c)
                inWord = true
                i += 1
            }
        }
        if inWord { words.append(String(decoding: word, as: UTF8.self)) }
        return words
    }

    /// `word` quoted so that `split` gives it back unchanged: as is when it has no special
    /// bytes, else in single quotes (a single quote inside written as `'\''`).
    public static func quote(_ word: String) -> String {
        let bytes = Array(word.utf8)
        var plain = !bytes.isEmpty
        for c in bytes where c <= 0x20 || c == 0x22 || c == 0x27 || c == 0x5C || c == 0x7F {
            plain = false
        }
        if plain { return word }
        var out: [UInt8] = [0x27]
        for c in bytes {
            if c == 0x27 {
                out += [0x27, 0x5C, 0x27, 0x27]
            } else {
                out.append(c)
            }
        }
        out.append(0x27)
        return String(decoding: out, as: UTF8.self)
    }
}
