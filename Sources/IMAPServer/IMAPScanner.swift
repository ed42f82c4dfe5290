import MailgateCore

/// Why a command could not be parsed; becomes `BAD` (RFC 3501 7.1.3) with the tag when known.
public struct IMAPParseError: Error, Sendable, Equatable {
    /// The tag, when the command got that far.
    public var tag: String?
    /// Text for the BAD reply.
    public var message: String

    public init(tag: String?, _ message: String) {
        self.tag = tag
        self.message = message
    }
}

/// A cursor over one complete command (its lines and literals, as on the wire) with the RFC 3501 9
/// terminals. Every read either consumes input or fails; lengths are checked before use.
struct IMAPScanner {
    let bytes: [UInt8]
    var index = 0
    var tag: String?

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { index >= bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    func fail(_ message: String) -> IMAPParseError { IMAPParseError(tag: tag, message) }

    // RFC 3501 9: atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
    static func isAtomChar(_ byte: UInt8) -> Bool {
        switch byte {
        case 0...0x20, 0x7F...0xFF, UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "%"),
            UInt8(ascii: "*"), UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "]"):
            false
        default: true
        }
    }

    mutating func space() throws(IMAPParseError) {
        guard peek == UInt8(ascii: " ") else { throw fail("expected a space") }
        index += 1
    }

    mutating func skip(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    mutating func expect(_ byte: UInt8) throws(IMAPParseError) {
        guard skip(byte) else { throw fail("expected \"\(Character(Unicode.Scalar(byte)))\"") }
    }

    mutating func end() throws(IMAPParseError) {
        guard isAtEnd else { throw fail("unexpected text at the end of the command") }
    }

    /// 1*ATOM-CHAR, plus `extra` bytes allowed (`]` for ASTRING-CHAR, `%*` for list-mailbox).
    mutating func atom(allowing extra: [UInt8] = []) throws(IMAPParseError) -> String {
        let start = index
        while let byte = peek, Self.isAtomChar(byte) || extra.contains(byte) { index += 1 }
        guard index > start else { throw fail("expected an atom") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// An atom compared case-insensitively (command names, keywords).
    mutating func keyword() throws(IMAPParseError) -> String { try atom().uppercased() }

    /// Whether the next atom is `word` (case-insensitive); consumes it only then.
    mutating func skipKeyword(_ word: String) -> Bool {
        let saved = index
        if let found = try? atom(allowing: [UInt8(ascii: "]")]), found.uppercased() == word { return true }
        index = saved
        return false
    }

    /// number = 1*DIGIT fitting 32 bits (RFC 3501 9).
    mutating func number() throws(IMAPParseError) -> UInt32 {
        let value = try number64()
        guard value <= UInt64(UInt32.max) else { throw fail("number too large") }
        return UInt32(value)
    }

    /// A number up to 63 bits (RFC 7162 mod-sequence-value).
    mutating func number64() throws(IMAPParseError) -> UInt64 {
        let start = index
        var value: UInt64 = 0
        while let byte = peek, (48...57).contains(byte) {
            guard index - start < 19 else { throw fail("number too large") }
            value = value * 10 + UInt64(byte - 48)
            index += 1
        }
        guard index > start else { throw fail("expected a number") }
        return value
    }

    mutating func nzNumber() throws(IMAPParseError) -> UInt32 {
        let value = try number()
        guard value > 0 else { throw fail("expected a non-zero number") }
        return value
    }

    /// quoted / literal (RFC 3501 4.3): the raw bytes.
    mutating func string() throws(IMAPParseError) -> [UInt8] {
        if skip(UInt8(ascii: "\"")) {
            var out: [UInt8] = []
            while let byte = peek {
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return out
                case UInt8(ascii: "\\"):
                    guard let escaped = peek, escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") else {
                        throw fail("bad escape in a quoted string")
                    }
                    out.append(escaped)
                    index += 1
                case 0x0A, 0x0D, 0: throw fail("line break in a quoted string")
                default: out.append(byte)
                }
            }
            throw fail("unterminated quoted string")
        }
        if peek == UInt8(ascii: "{") { return try literal() }
        throw fail("expected a string")
    }

    /// `{N}` or `{N+}` (RFC 7888), CRLF, then N bytes (the assembler placed them here).
    mutating func literal() throws(IMAPParseError) -> [UInt8] {
        try expect(UInt8(ascii: "{"))
        let count = Int(try number())
        _ = skip(UInt8(ascii: "+"))
        try expect(UInt8(ascii: "}"))
        guard skip(0x0D), skip(0x0A) else { throw fail("a literal must end its line") }
        guard count <= bytes.count - index else { throw fail("literal shorter than announced") }
        defer { index += count }
        return Array(bytes[index..<(index + count)])
    }

    /// astring = 1*ASTRING-CHAR / string.
    mutating func astring() throws(IMAPParseError) -> [UInt8] {
        if peek == UInt8(ascii: "\"") || peek == UInt8(ascii: "{") { return try string() }
        return Array(try atom(allowing: [UInt8(ascii: "]")]).utf8)
    }

    mutating func astringText() throws(IMAPParseError) -> String {
        String(decoding: try astring(), as: UTF8.self)
    }

    /// nstring = string / NIL.
    mutating func nstring() throws(IMAPParseError) -> [UInt8]? {
        if peek != UInt8(ascii: "\"") && peek != UInt8(ascii: "{") {
            guard try keyword() == "NIL" else { throw fail("expected a string or NIL") }
            return nil
        }
        return try string()
    }

    /// mailbox = "INBOX" / astring, decoded from modified UTF-7 (RFC 3501 5.1.3).
    mutating func mailbox() throws(IMAPParseError) -> String {
        let raw = try astring()
        guard let name = ModifiedUTF7.decode(raw) else { throw fail("mailbox name is not valid modified UTF-7") }
        return name
    }

    /// list-mailbox = 1*list-char / string (RFC 3501 9), decoded like a mailbox.
    mutating func listMailbox() throws(IMAPParseError) -> String {
        let raw: [UInt8]
        if peek == UInt8(ascii: "\"") || peek == UInt8(ascii: "{") {
            raw = try string()
        } else {
            raw = Array(try atom(allowing: [UInt8(ascii: "]"), UInt8(ascii: "%"), UInt8(ascii: "*")]).utf8)
        }
        guard let name = ModifiedUTF7.decode(raw) else { throw fail("mailbox name is not valid modified UTF-7") }
        return name
    }

    /// A parenthesised list of items read by `item`, separated by single spaces; `()` allowed.
    mutating func parenthesised<T>(_ item: (inout IMAPScanner) throws(IMAPParseError) -> T) throws(IMAPParseError)
        -> [T]
    {
        try expect(UInt8(ascii: "("))
        var items: [T] = []
        if skip(UInt8(ascii: ")")) { return items }
        while true {
            guard items.count < 1_000 else { throw fail("too many items in a list") }
            items.append(try item(&self))
            if skip(UInt8(ascii: ")")) { return items }
            try space()
        }
    }

    /// flag = "\" atom / keyword (RFC 3501 9), also `\*` in PERMANENTFLAGS (refused here).
    mutating func flag() throws(IMAPParseError) -> String {
        if skip(UInt8(ascii: "\\")) { return "\\" + (try atom()) }
        return try atom()
    }

    /// sequence-set (RFC 3501 9), or RFC 5182's `$` on its own.
    mutating func sequenceSet() throws(IMAPParseError) -> IMAPSequenceSet {
        if skip(UInt8(ascii: "$")) { return .savedResult }
        var ranges: [IMAPSequenceSet.Range] = []
        repeat {
            guard ranges.count < 10_000 else { throw fail("sequence set too long") }
            let first = try seqNumber()
            if skip(UInt8(ascii: ":")) {
                ranges.append(.init(first, try seqNumber()))
            } else {
                ranges.append(.init(first, first))
            }
        } while skip(UInt8(ascii: ","))
        return IMAPSequenceSet(ranges)
    }

    /// seq-number = nz-number / "*".
    private mutating func seqNumber() throws(IMAPParseError) -> UInt32? {
        if skip(UInt8(ascii: "*")) { return nil }
        return try nzNumber()
    }

    /// date = date-text / DQUOTE date-text DQUOTE; date-text = date-day "-" date-month "-" date-year.
    mutating func day() throws(IMAPParseError) -> IMAPDay {
        let quoted = skip(UInt8(ascii: "\""))
        let day = Int(try number())
        try expect(UInt8(ascii: "-"))
        let start = index
        index = min(index + 3, bytes.count)
        guard let month = CivilDate.monthIndex(String(decoding: bytes[start..<index], as: UTF8.self)) else {
            throw fail("bad month")
        }
        try expect(UInt8(ascii: "-"))
        let year = Int(try number())
        if quoted { try expect(UInt8(ascii: "\"")) }
        guard (1...31).contains(day), (1...9999).contains(year) else { throw fail("bad date") }
        return IMAPDay(year: year, month: month + 1, day: day)
    }
}
