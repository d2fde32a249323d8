/// Guest configuration files in the syntax of Xen's `xl.cfg(5)` (DESIGN §4), and the
/// `key=value` overrides that follow the file name on a `create` command line.
///
/// Syntax (xl.cfg(5) "SYNTAX"; libxlu's lexer for the details):
/// - settings `KEY = VALUE`, separated by newlines or `;`; `#` starts a comment to the end
///   of the line (outside strings); blank lines are ignored;
/// - KEY: a letter or `_`, then letters, digits, `_`;
/// - VALUE: a string in single or double quotes, on one line, with C escapes (`\\`, `\"`,
///   `\'`, `\n`, `\t`, `\r`, `\a`, `\b`, `\f`, `\v`, `\xHH`, `\NNN` octal); a number in
///   decimal, octal (leading `0`) or hexadecimal (`0x`); or a list `[ VALUE, VALUE, … ]`,
///   possibly nested, possibly spanning lines, a trailing comma allowed;
/// - a key set twice keeps the last value.
///
/// Keys used (xl.cfg(5) "OPTIONS"): `name`, `kernel`, `ramdisk`, `extra`, `cmdline`, `root`,
/// `memory` (MiB), `vcpus`, `weight` (credit scheduler, 1…65535, default 256) and `disk`
/// (xl-disk-configuration(5), see `GuestDisk`). Numbers may also be given as strings
/// ("64"), as xl accepts. Other keys are kept in `settings` and listed in `ignoredKeys`.
///
/// Errors are a `GuestConfigError` whose `message` is one line: "line 3: memory must be a
/// number of MiB", "line 5: unterminated string", "missing kernel".
///
/// Written for bare metal (also compiled in Embedded Swift mode into Dom0): no Foundation,
/// typed throws, byte-wise comparisons.

/// Why a configuration was refused.
public struct GuestConfigError: Error, Equatable, CustomStringConvertible {
    /// Where the problem is.
    public enum Origin: Equatable {
        /// A line of the configuration file (1-based).
        case line(Int)
        /// A `key=value` override word from the command line.
        case override(String)
        /// The configuration as a whole ("missing kernel").
        case configuration
    }

    public let origin: Origin
    /// The problem without its location: "memory must be a number of MiB".
    public let reason: String

    public init(_ origin: Origin, _ reason: String) {
        self.origin = origin
        self.reason = reason
    }

    /// "line 3: memory must be a number of MiB", "memory=x: memory must be a number of MiB",
    /// "missing kernel".
    public var message: String {
        switch origin {
        case .line(let line): return "line " + String(line) + ": " + reason
        case .override(let word): return Dom0Bytes.printable(word) + ": " + reason
        case .configuration: return reason
        }
    }

    public var description: String { message }
}

/// A configuration value.
public indirect enum GuestConfigValue: Equatable {
    case string(String)
    case number(UInt64)
    case list([GuestConfigValue])
}

/// One `KEY = VALUE` setting as written.
public struct GuestConfigSetting: Equatable {
    public var key: String
    public var value: GuestConfigValue
    public var origin: GuestConfigError.Origin

    public init(key: String, value: GuestConfigValue, origin: GuestConfigError.Origin) {
        self.key = key
        self.value = value
        self.origin = origin
    }
}

/// One entry of `disk = [ … ]`: a disk image from Dom0's archive served to the guest as a
/// virtio block device.
///
/// Accepted forms (xl-disk-configuration(5), positional parameters `target, format, vdev,
/// access`, and its `key=value` parameters):
/// - `IMAGE,VDEV,ACCESS` ("guest.img,vda,w" — the classic three-field form);
/// - `IMAGE,FORMAT,VDEV,ACCESS` with FORMAT `raw` or empty;
/// - `IMAGE,VDEV` (access defaults to `rw`, as in xl);
/// - `vdev=`, `access=`, `format=`, `target=` parameters in any order (`target=` must come
///   last and takes the rest of the string, commas included).
/// ACCESS is `w`/`rw` (writable) or `r`/`ro` (read-only). A `file:` prefix on the image (an
/// old xl form) is dropped. Only raw images exist here.
public struct GuestDisk: Equatable {
    /// The image's name in the archive.
    public var image: String
    /// The guest's device name ("vda", "xvda").
    public var vdev: String
    public var writable: Bool

    public init(image: String, vdev: String, writable: Bool) {
        self.image = image
        self.vdev = vdev
        self.writable = writable
    }

    /// Parses one disk specification; the error is a reason ("disk 'x': …").
    public static func parse(_ spec: String) -> Result<GuestDisk, GuestConfigError> {
        let bytes = Array(spec.utf8)
        let quoted = "disk '" + Dom0Bytes.printable(spec) + "': "
        func fail(_ reason: String) -> Result<GuestDisk, GuestConfigError> {
            .failure(GuestConfigError(.configuration, quoted + reason))
        }
        var positional: [[UInt8]] = []
        var target: [UInt8]? = nil
        var vdev: [UInt8]? = nil
        var access: [UInt8]? = nil
        var format: [UInt8]? = nil
        var i = 0
        var fieldStart = 0
        while i <= bytes.count {
            if i == bytes.count || bytes[i] == 0x2C {
                let field = Array(bytes[fieldStart..<i])
                if let eq = field.firstIndex(of: 0x3D) {
                    let key = field[0..<eq]
                    let value = Array(field[(eq + 1)...])
                    if key.elementsEqual("target".utf8) {
                        // target= takes the rest of the specification.
                        target = Array(bytes[(fieldStart + eq + 1)...])
                        break
                    } else if key.elementsEqual("vdev".utf8) {
                        vdev = value
                    } else if key.elementsEqual("access".utf8) {
                        access = value
                    } else if key.elementsEqual("format".utf8) {
                        format = value
                    } else {
                        return fail("unknown parameter '" + String(decoding: key, as: UTF8.self) + "'")
                    }
                } else {
                    positional.append(Dom0Bytes.trimmed(field))
                }
                fieldStart = i + 1
            }
            i += 1
        }
        // Trailing empty positional fields ("img,vda,w,") are dropped.
        while let last = positional.last, last.isEmpty, positional.count > 1 { positional.removeLast() }
        switch positional.count {
        case 0: break
        case 1: target = target ?? positional[0]
        case 2:
            target = target ?? positional[0]
            vdev = vdev ?? positional[1]
        case 3:
            target = target ?? positional[0]
            vdev = vdev ?? positional[1]
            access = access ?? positional[2]
        case 4:
            target = target ?? positional[0]
            format = format ?? positional[1]
            vdev = vdev ?? positional[2]
            access = access ?? positional[3]
        default:
            return fail("too many fields (IMAGE,VDEV,ACCESS)")
        }
        if let f = format, !f.isEmpty, !f.elementsEqual("raw".utf8) {
            return fail("only raw images are supported")
        }
        guard var image = target.map(Dom0Bytes.trimmed), !image.isEmpty else {
            return fail("missing image")
        }
        if image.starts(with: "file:".utf8) { image.removeFirst(5) }
        guard !image.isEmpty else { return fail("missing image") }
        guard let device = vdev, !device.isEmpty else {
            return fail("missing virtual device (IMAGE,VDEV,ACCESS)")
        }
        for c in device where !Dom0Bytes.isIdentifierByte(c) {
            return fail("bad virtual device '" + String(decoding: device, as: UTF8.self) + "'")
        }
        var writable = true
        if let mode = access {
            if mode.elementsEqual("w".utf8) || mode.elementsEqual("rw".utf8) {
                writable = true
            } else if mode.elementsEqual("r".utf8) || mode.elementsEqual("ro".utf8) {
                writable = false
            } else {
                return fail("access must be r or w")
            }
        }
        return .success(GuestDisk(
            image: String(decoding: image, as: UTF8.self),
            vdev: String(decoding: device, as: UTF8.self), writable: writable))
    }
}

/// A guest's configuration: what `create` needs to build a domain.
public struct GuestConfig: Equatable {
    /// Credit scheduler default weight.
    public static let defaultWeight: UInt32 = 256
    public static let maxWeight: UInt32 = 65535
    public static let maxVCPUs = 64
    /// 1 TiB: keeps `memoryMiB << 20` far from overflow.
    public static let maxMemoryMiB: UInt64 = 1 << 20
    /// Longest domain name.
    public static let maxNameLength = 32

    /// Domain name: 1…32 of `A-Z a-z 0-9 . _ -`, not only digits (a NAME is accepted where
    /// an ID is). `validated()` derives it from the kernel file name when absent.
    public var name: String? = nil
    /// Kernel file in the archive (ELF or RISC-V Linux Image). Required.
    public var kernel: String? = nil
    /// Initial ramdisk file in the archive.
    public var ramdisk: String? = nil
    /// `extra`: appended to the kernel command line.
    public var extra: String? = nil
    /// `cmdline`: the whole kernel command line; when set, `root` and `extra` are ignored
    /// (xl.cfg(5)).
    public var cmdline: String? = nil
    /// `root`: becomes "root=ROOT" at the front of the command line.
    public var root: String? = nil
    /// `memory` in MiB (1…`maxMemoryMiB`); nil when not given (the caller picks a default).
    public var memoryMiB: UInt64? = nil
    /// `vcpus` (1…64, default 1).
    public var vcpus: Int = 1
    /// `weight` (1…65535, default 256).
    public var weight: UInt32 = GuestConfig.defaultWeight
    /// `disk`, in order.
    public var disks: [GuestDisk] = []
    /// Keys this parser does not use, each once, in order of first appearance.
    public var ignoredKeys: [String] = []
    /// Every setting in order (the file's, then the overrides').
    public var settings: [GuestConfigSetting] = []

    public init() {}

    /// A configuration for `create KERNEL` (no file).
    public init(kernel: String) {
        self.kernel = kernel
    }

    /// The kernel command line: `cmdline` when set, else "root=ROOT EXTRA" (either part may
    /// be absent).
    public var commandLine: String {
        if let line = cmdline { return line }
        var line = ""
        if let r = root { line = "root=" + r }
        if let e = extra {
            if !line.isEmpty && !e.isEmpty { line += " " }
            line += e
        }
        return line
    }

    /// Parses a configuration file (no overrides, no final checks: see `validated()`).
    public static func parse(_ text: String) throws(GuestConfigError) -> GuestConfig {
        var config = GuestConfig()
        try config.apply(file: Array(text.utf8))
        return config
    }

    /// Parses a configuration file held in memory (e.g. a member of the guest archive).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(GuestConfigError) -> GuestConfig {
        var config = GuestConfig()
        try config.apply(file: Array(bytes))
        return config
    }

    /// `create FILE key=value…`: parses the file, applies the overrides, validates.
    public static func load(
        _ text: String, overrides: [String] = []
    ) throws(GuestConfigError) -> GuestConfig {
        var config = try parse(text)
        try config.apply(overrides: overrides)
        return try config.validated()
    }

    /// Applies every setting of a configuration file on top of this configuration.
    public mutating func apply(file bytes: [UInt8]) throws(GuestConfigError) {
        var parser = GuestConfigParser(bytes)
        while let (key, value, line) = try parser.nextSetting() {
            try set(key: key, value: value, origin: .line(line))
        }
    }

    /// Applies `key=value` words from a command line, in order. A value that starts with a
    /// quote or `[` is read with the file syntax (`disk=['a.img,vda,w']`); any other value is
    /// a string taken literally (`extra=console=hvc0 quiet` once the shell removed the
    /// quotes), which numeric keys read as a number (`memory=64`).
    public mutating func apply(overrides: [String]) throws(GuestConfigError) {
        for word in overrides { try apply(override: word) }
    }

    /// Applies one `key=value` word.
    public mutating func apply(override word: String) throws(GuestConfigError) {
        let bytes = Array(word.utf8)
        let origin = GuestConfigError.Origin.override(word)
        guard let eq = bytes.firstIndex(of: 0x3D) else {
            throw GuestConfigError(origin, "expected key=value")
        }
        let key = Array(bytes[0..<eq])
        guard Dom0Bytes.isKey(key) else {
            throw GuestConfigError(origin, "bad key '" + String(decoding: key, as: UTF8.self) + "'")
        }
        let rest = Array(bytes[(eq + 1)...])
        let value: GuestConfigValue
        if let first = rest.first, first == 0x22 || first == 0x27 || first == 0x5B {
            var parser = GuestConfigParser(rest)
            do throws(GuestConfigError) {
                value = try parser.singleValue()
            } catch {
                throw GuestConfigError(origin, error.reason)
            }
        } else {
            // Numeric keys read numbers from strings, so "007" stays "007" for string keys.
            value = .string(String(decoding: rest, as: UTF8.self))
        }
        try set(key: String(decoding: key, as: UTF8.self), value: value, origin: origin)
    }

    /// The final checks: a kernel is required; a missing name is derived from the kernel's
    /// file name ("guests/hello.elf" → "hello").
    public func validated() throws(GuestConfigError) -> GuestConfig {
        guard let kernel, !kernel.isEmpty else {
            throw GuestConfigError(.configuration, "missing kernel")
        }
        var config = self
        if config.name == nil {
            let derived = GuestConfig.baseName(kernel)
            guard GuestConfig.isValidName(derived) else {
                throw GuestConfigError(.configuration, "missing name")
            }
            config.name = derived
        }
        return config
    }

    /// True when `name` is a usable domain name (see `name`).
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= maxNameLength else { return false }
        var allDigits = true
        for c in bytes {
            let digit = c >= 0x30 && c <= 0x39
            let letter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A
            guard digit || letter || c == 0x2E || c == 0x5F || c == 0x2D else { return false }
            if !digit { allDigits = false }
        }
        return !allDigits
    }

    /// The file name without directories and without its last extension.
    static func baseName(_ path: String) -> String {
        var bytes = Array(path.utf8)
        while bytes.last == 0x2F { bytes.removeLast() }
        if let slash = bytes.lastIndex(of: 0x2F) { bytes = Array(bytes[(slash + 1)...]) }
        if let dot = bytes.lastIndex(of: 0x2E), dot > 0 { bytes = Array(bytes[0..<dot]) }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Settings

    private mutating func set(
        key: String, value: GuestConfigValue, origin: GuestConfigError.Origin
    ) throws(GuestConfigError) {
        func fail(_ reason: String) -> GuestConfigError { GuestConfigError(origin, reason) }
        settings.append(GuestConfigSetting(key: key, value: value, origin: origin))
        let k = key.utf8
        if k.elementsEqual("name".utf8) {
            guard case .string(let s) = value, GuestConfig.isValidName(s) else {
                throw fail("name must be 1 to 32 letters, digits, '.', '_' or '-', not only digits")
            }
            name = s
        } else if k.elementsEqual("kernel".utf8) {
            guard case .string(let s) = value, !s.isEmpty else {
                throw fail("kernel must be a file name in quotes")
            }
            kernel = s
        } else if k.elementsEqual("ramdisk".utf8) {
            guard case .string(let s) = value, !s.isEmpty else {
                throw fail("ramdisk must be a file name in quotes")
            }
            ramdisk = s
        } else if k.elementsEqual("extra".utf8) {
            guard case .string(let s) = value else { throw fail("extra must be a string in quotes") }
            extra = s
        } else if k.elementsEqual("cmdline".utf8) {
            guard case .string(let s) = value else { throw fail("cmdline must be a string in quotes") }
            cmdline = s
        } else if k.elementsEqual("root".utf8) {
            guard case .string(let s) = value else { throw fail("root must be a string in quotes") }
            root = s
        } else if k.elementsEqual("memory".utf8) {
            guard let n = GuestConfig.number(value) else { throw fail("memory must be a number of MiB") }
            guard n >= 1, n <= GuestConfig.maxMemoryMiB else {
                throw fail("memory must be from 1 to " + String(GuestConfig.maxMemoryMiB) + " MiB")
            }
            memoryMiB = n
        } else if k.elementsEqual("vcpus".utf8) {
            guard let n = GuestConfig.number(value), n >= 1, n <= UInt64(GuestConfig.maxVCPUs) else {
                throw fail("vcpus must be a number from 1 to " + String(GuestConfig.maxVCPUs))
            }
            vcpus = Int(n)
        } else if k.elementsEqual("weight".utf8) {
            guard let n = GuestConfig.number(value), n >= 1, n <= UInt64(GuestConfig.maxWeight) else {
                throw fail("weight must be a number from 1 to " + String(GuestConfig.maxWeight))
            }
            weight = UInt32(n)
        } else if k.elementsEqual("disk".utf8) {
            guard case .list(let items) = value else { throw fail("disk must be a list of strings") }
            var list: [GuestDisk] = []
            for item in items {
                guard case .string(let spec) = item else { throw fail("disk must be a list of strings") }
                switch GuestDisk.parse(spec) {
                case .success(let disk): list.append(disk)
                case .failure(let error): throw fail(error.reason)
                }
            }
            disks = list
        } else {
            for known in ignoredKeys where known.utf8.elementsEqual(k) { return }
            ignoredKeys.append(key)
        }
    }

    /// A number, or a string holding one (xl reads numbers from strings too).
    private static func number(_ value: GuestConfigValue) -> UInt64? {
        switch value {
        case .number(let n): return n
        case .string(let s): return Dom0Bytes.number(Array(Dom0Bytes.trimmed(Array(s.utf8)))[...])
        case .list: return nil
        }
    }
}

/// The xl.cfg tokenizer and parser (see `GuestConfig` for the syntax).
struct GuestConfigParser {
    let bytes: [UInt8]
    var position = 0
    /// The line `position` is on.
    var line = 1
    /// The line the last token started on (errors name it).
    var tokenLine = 1

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    enum Token {
        case word([UInt8])
        case string([UInt8])
        case equals
        case open
        case close
        case comma
        case separator  // newline or ';'
        case end
    }

    private func error(_ reason: String, line: Int? = nil) -> GuestConfigError {
        GuestConfigError(.line(line ?? tokenLine), reason)
    }

    /// A byte that ends an unquoted word.
    private static func isDelimiter(_ c: UInt8) -> Bool {
        switch c {
        case 0x20, 0x09, 0x0D, 0x0A, 0x0B, 0x0C, 0x3D, 0x5B, 0x5D, 0x2C, 0x3B, 0x23, 0x22, 0x27:
            return true
        default:
            return false
        }
    }

    /// The next token; whitespace and comments are skipped. `tokenLine` is set to the line
    /// the token starts on (for a newline token, the line it ends).
    mutating func next() throws(GuestConfigError) -> Token {
        while position < bytes.count {
            let c = bytes[position]
            if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0B || c == 0x0C {
                position += 1
            } else if c == 0x23 {  // '#': comment to the end of the line
                while position < bytes.count && bytes[position] != 0x0A { position += 1 }
            } else {
                break
            }
        }
        tokenLine = line
        guard position < bytes.count else { return .end }
        let c = bytes[position]
        switch c {
        case 0x0A:
            position += 1
            line += 1
            return .separator
        case 0x3B:
            position += 1
            return .separator
        case 0x3D:
            position += 1
            return .equals
        case 0x5B:
            position += 1
            return .open
        case 0x5D:
            position += 1
            return .close
        case 0x2C:
            position += 1
            return .comma
        case 0x22, 0x27:
            return .string(try quoted())
        default:
            let start = position
            while position < bytes.count && !GuestConfigParser.isDelimiter(bytes[position]) {
                position += 1
            }
            return .word(Array(bytes[start..<position]))
        }
    }

    /// A quoted string starting at `position`, escapes decoded.
    private mutating func quoted() throws(GuestConfigError) -> [UInt8] {
        let quote = bytes[position]
        position += 1
        var value: [UInt8] = []
        while true {
            guard position < bytes.count, bytes[position] != 0x0A else {
                throw error("unterminated string")
            }
            let c = bytes[position]
            position += 1
            if c == quote { return value }
            if c != 0x5C {
                value.append(c)
                continue
            }
            guard position < bytes.count, bytes[position] != 0x0A else {
                throw error("unterminated string")
            }
            let e = bytes[position]
            position += 1
            switch e {
            case 0x5C, 0x22, 0x27: value.append(e)
            case 0x6E: value.append(0x0A)  // n
            case 0x74: value.append(0x09)  // t
            case 0x72: value.append(0x0D)  // r
            case 0x61: value.append(0x07)  // a
            case 0x62: value.append(0x08)  // b
            case 0x66: value.append(0x0C)  // f
            case 0x76: value.append(0x0B)  // v
            case 0x78:  // xHH
                var n: UInt8 = 0
                var digits = 0
                while digits < 2, position < bytes.count, let d = Dom0Bytes.hexValue(bytes[position]) {
                    n = n << 4 | d
                    digits += 1
                    position += 1
                }
                guard digits > 0 else { throw error("bad escape '\\x' in string") }
                value.append(n)
            case 0x30...0x37:  // NNN octal
                var n = UInt32(e - 0x30)
                var digits = 1
                while digits < 3, position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x37 {
                    n = n << 3 | UInt32(bytes[position] - 0x30)
                    digits += 1
                    position += 1
                }
                guard n <= 0xFF else { throw error("bad escape in string") }
                value.append(UInt8(n))
            default:
                var shown: [UInt8] = [0x5C]
                shown.append(e >= 0x20 && e < 0x7F ? e : 0x3F)
                throw error("bad escape '" + String(decoding: shown, as: UTF8.self) + "' in string")
            }
        }
    }

    /// The next `KEY = VALUE` setting, or nil at the end of the file.
    mutating func nextSetting() throws(GuestConfigError) -> (String, GuestConfigValue, Int)? {
        var token = try next()
        while case .separator = token { token = try next() }
        let keyLine = tokenLine
        let key: [UInt8]
        switch token {
        case .end: return nil
        case .word(let w):
            guard Dom0Bytes.isKey(w) else {
                throw error("bad key '" + Dom0Bytes.shown(w) + "'")
            }
            key = w
        default:
            throw error("expected a key")
        }
        let keyText = String(decoding: key, as: UTF8.self)
        guard case .equals = try next() else {
            throw error("expected '=' after '" + keyText + "'", line: keyLine)
        }
        let value = try valueAfterEquals(key: keyText)
        switch try next() {
        case .separator, .end: break
        default: throw error("unexpected text after the value of '" + keyText + "'")
        }
        return (keyText, value, keyLine)
    }

    /// A value for `key` (the `=` was read).
    private mutating func valueAfterEquals(key: String) throws(GuestConfigError) -> GuestConfigValue {
        let token = try next()
        return try value(from: token, key: key)
    }

    private mutating func value(from token: Token, key: String) throws(GuestConfigError) -> GuestConfigValue {
        switch token {
        case .string(let s):
            return .string(String(decoding: s, as: UTF8.self))
        case .word(let w):
            guard let n = Dom0Bytes.number(w[...]) else {
                throw error(key + ": expected a quoted string, a number or a list, found '"
                    + Dom0Bytes.shown(w) + "'")
            }
            return .number(n)
        case .open:
            return try list(key: key, openLine: tokenLine)
        case .separator, .end:
            throw error("missing value for '" + key + "'")
        default:
            throw error(key + ": expected a quoted string, a number or a list")
        }
    }

    /// The rest of a list after its `[`; newlines inside are ignored.
    private mutating func list(key: String, openLine: Int) throws(GuestConfigError) -> GuestConfigValue {
        var items: [GuestConfigValue] = []
        while true {
            var token = try next()
            while case .separator = token {
                guard bytes[position - 1] == 0x0A else {
                    throw error("expected ',' or ']' in the list for '" + key + "'")
                }
                token = try next()
            }
            switch token {
            case .end: throw error("unterminated list", line: openLine)
            case .close: return .list(items)
            default: break
            }
            if !items.isEmpty {
                guard case .comma = token else {
                    throw error("expected ',' or ']' in the list for '" + key + "'")
                }
                token = try next()
                while case .separator = token {
                    guard bytes[position - 1] == 0x0A else {
                        throw error("expected a value in the list for '" + key + "'")
                    }
                    token = try next()
                }
                switch token {
                case .end: throw error("unterminated list", line: openLine)
                case .close: return .list(items)  // trailing comma
                default: break
                }
            }
            if case .comma = token { throw error("expected a value in the list for '" + key + "'") }
            items.append(try value(from: token, key: key))
        }
    }

    /// Exactly one value and nothing after it (override values).
    mutating func singleValue() throws(GuestConfigError) -> GuestConfigValue {
        let token = try next()
        let value = try value(from: token, key: "value")
        guard case .end = try next() else { throw error("unexpected text after the value") }
        return value
    }
}

extension Dom0Bytes {
    /// `[A-Za-z_][A-Za-z0-9_]*`.
    static func isKey(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first else { return false }
        let letter = (first | 0x20) >= 0x61 && (first | 0x20) <= 0x7A
        guard letter || first == 0x5F else { return false }
        for c in bytes where !isIdentifierByte(c) { return false }
        return true
    }

    /// `[A-Za-z0-9_]`.
    static func isIdentifierByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A) || c == 0x5F
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        if c >= 0x30 && c <= 0x39 { return c - 0x30 }
        let lower = c | 0x20
        if lower >= 0x61 && lower <= 0x66 { return lower - 0x61 + 10 }
        return nil
    }

    /// A number as xl.cfg writes it: decimal, octal with a leading 0, hex with 0x. Nil when
    /// malformed or above UInt64.max.
    static func number(_ text: ArraySlice<UInt8>) -> UInt64? {
        guard let first = text.first else { return nil }
        var digits = text
        var base: UInt64 = 10
        if first == 0x30 && text.count > 1 {
            let second = text[text.startIndex + 1] | 0x20
            if second == 0x78 {
                base = 16
                digits = text.dropFirst(2)
            } else {
                base = 8
                digits = text.dropFirst(1)
            }
        }
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for c in digits {
            guard let d = hexValue(c), UInt64(d) < base else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: base)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            value = a
        }
        return value
    }

    /// Without leading and trailing spaces and tabs.
    static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        var start = 0
        var end = bytes.count
        while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
        while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
        return Array(bytes[start..<end])
    }

    /// Bytes for an error message: printable, at most 40 of them.
    static func shown(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        for c in bytes.prefix(40) { out.append(c < 0x20 || c == 0x7F ? 0x3F : c) }
        if bytes.count > 40 { out += [0x2E, 0x2E, 0x2E] }
        return String(decoding: out, as: UTF8.self)
    }
}
