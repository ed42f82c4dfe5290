// Byte-level helpers shared by the MIME parsers. Every function is total: indices are checked, nothing traps.

/// ASCII code points the parsers compare against.
enum ASCII {
    static let tab: UInt8 = 9
    static let lf: UInt8 = 10
    static let cr: UInt8 = 13
    static let space: UInt8 = 32
    static let quote: UInt8 = 34
    static let dash: UInt8 = 45
    static let colon: UInt8 = 58
    static let semicolon: UInt8 = 59
    static let equals: UInt8 = 61
    static let question: UInt8 = 63
    static let backslash: UInt8 = 92

    /// RFC 5322 2.2.2: WSP is space or horizontal tab.
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// Whitespace including line-break bytes, for trimming unfolded values.
    static func isAnyWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab || byte == cr || byte == lf }

    static func lowercased(_ byte: UInt8) -> UInt8 { (65...90).contains(byte) ? byte + 32 : byte }

    static func uppercased(_ byte: UInt8) -> UInt8 { (97...122).contains(byte) ? byte - 32 : byte }

    /// The value of a hexadecimal digit, or nil.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: return byte - 48
        case 65...70: return byte - 55
        case 97...102: return byte - 87
        default: return nil
        }
    }
}

/// One line of a byte buffer: `contentEnd` excludes the line break, `end` includes it.
struct Line {
    var start: Int
    var contentEnd: Int
    var end: Int

    var isEmpty: Bool { start == contentEnd }
}

extension Array where Element == UInt8 {
    /// The line starting at `start`, ended by LF (with an optional CR before it) or by `limit`.
    ///
    /// Lenient per RFC 2045/5322 practice: a bare LF ends a line like CRLF does.
    func line(at start: Int, limit: Int) -> Line {
        var index = start
        while index < limit {
            if self[index] == ASCII.lf {
                let contentEnd = index > start && self[index - 1] == ASCII.cr ? index - 1 : index
                return Line(start: start, contentEnd: contentEnd, end: index + 1)
            }
            index += 1
        }
        return Line(start: start, contentEnd: limit, end: limit)
    }
}

/// Helpers over any byte collection.
extension Collection where Element == UInt8 {
    /// The bytes lower-cased (ASCII only).
    var asciiLowercased: [UInt8] { map(ASCII.lowercased) }

    /// Case-insensitive ASCII equality.
    func equalsIgnoringCase(_ other: some Collection<UInt8>) -> Bool {
        guard count == other.count else { return false }
        return zip(self, other).allSatisfy { ASCII.lowercased($0) == ASCII.lowercased($1) }
    }
}

extension ArraySlice where Element == UInt8 {
    /// The slice without leading and trailing whitespace (space, tab, CR, LF).
    var trimmed: ArraySlice<UInt8> {
        var lower = startIndex
        var upper = endIndex
        while lower < upper, ASCII.isAnyWhitespace(self[lower]) { lower += 1 }
        while upper > lower, ASCII.isAnyWhitespace(self[upper - 1]) { upper -= 1 }
        return self[lower..<upper]
    }
}

/// Text from header bytes: UTF-8 when valid, otherwise ISO-8859-1 (every byte is a character), so no byte is lost.
func headerText(_ bytes: some Collection<UInt8>) -> String {
    if let text = String(validating: bytes, as: UTF8.self) { return text }
    return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
}

/// RFC 5322 2.2.3: unfolding removes the CRLF (or bare LF/CR) in front of folding whitespace.
func unfold(_ bytes: some Collection<UInt8>) -> [UInt8] {
    bytes.filter { $0 != ASCII.cr && $0 != ASCII.lf }
}

/// A set of bytes as a 256-entry table, for per-byte class checks in scanning loops.
struct ByteSet: Sendable {
    private let members: [Bool]

    init(_ characters: String) {
        var members = [Bool](repeating: false, count: 256)
        for byte in characters.utf8 { members[Int(byte)] = true }
        self.members = members
    }

    func contains(_ byte: UInt8) -> Bool { members[Int(byte)] }

    /// RFC 5322 3.2.3 specials (without "." which atoms absorb, see ``AddressTokenizer``).
    static let addressSpecials = ByteSet("()<>[]:;@\\,\"")
    /// RFC 2045 5.1 tspecials.
    static let tspecials = ByteSet("()<>@,;:\\\"/[]?=")
    /// RFC 3501 9 atom-specials other than SP and CTL.
    static let atomSpecials = ByteSet("(){%*\"\\]")
}
