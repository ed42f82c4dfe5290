// RFC 5322 3.4 address lists (with the RFC 5322 4.4 obsolete forms), kept as bytes for IMAP ENVELOPE.

/// One entry of an address list, shaped like IMAP's address structure (RFC 3501 7.4.2).
public struct MIMEAddress: Sendable, Hashable {
    /// What the entry is.
    public enum Kind: Sendable, Hashable {
        /// A mailbox.
        case mailbox
        /// RFC 3501 7.4.2: start of a group; `mailbox` holds the group name.
        case groupStart
        /// End of a group.
        case groupEnd
    }

    /// Mailbox, group start or group end.
    public var kind: Kind
    /// The display name: quoted strings unquoted, RFC 2047 words still encoded; nil when absent.
    /// Without a phrase, a trailing comment (`a@b (Ann)`) serves as the name, as UW-IMAP and Dovecot do.
    public var name: [UInt8]?
    /// The obsolete source route (`@a,@b`), or nil.
    public var route: [UInt8]?
    /// The local part as written (quotes kept), or the group name.
    public var mailbox: [UInt8]?
    /// The domain; empty when the address has none (nil only marks groups, RFC 3501 7.4.2).
    public var host: [UInt8]?

    /// The display name with RFC 2047 words decoded, or nil.
    public var decodedName: String? { name.map { EncodedWords.decode($0) } }

    /// `local@domain` as text, or nil for group markers.
    public var addressSpec: String? {
        guard kind == .mailbox, let mailbox else { return nil }
        guard let host, !host.isEmpty else { return headerText(mailbox) }
        return headerText(mailbox) + "@" + headerText(host)
    }
}

/// Parses address lists leniently: anything gives a list, possibly empty.
public enum MIMEAddressParser {
    /// The entries of an address-list field value (unfolded bytes).
    public static func parse(_ bytes: [UInt8], maximumCount: Int = 1_000) -> [MIMEAddress] {
        var tokens = AddressTokenizer(bytes: bytes).tokens()
        tokens.append(Token(kind: .special(ASCII.space), text: [], spaceBefore: false))  // end marker
        var result: [MIMEAddress] = []
        var phrase: [Token] = []
        var comment: [UInt8]?
        var inGroup = false
        var index = 0

        func flushBare() {
            defer {
                phrase = []
                comment = nil
            }
            guard !phrase.isEmpty else { return }
            // addr-spec without angle brackets: split at the last "@".
            let at = phrase.lastIndex { $0.kind == .special(UInt8(ascii: "@")) }
            let local = at.map { Array(phrase[..<$0]) } ?? phrase
            let domain = at.map { Array(phrase[($0 + 1)...]) } ?? []
            result.append(
                MIMEAddress(
                    kind: .mailbox, name: comment, route: nil, mailbox: joinRaw(local), host: joinRaw(domain)))
        }

        while index < tokens.count, result.count < maximumCount {
            let token = tokens[index]
            index += 1
            switch token.kind {
            case .comment:
                comment = token.text.isEmpty ? comment : token.text
            case .special(UInt8(ascii: ":")) where !inGroup:
                result.append(
                    MIMEAddress(kind: .groupStart, name: nil, route: nil, mailbox: joinPhrase(phrase), host: nil))
                phrase = []
                comment = nil
                inGroup = true
            case .special(UInt8(ascii: "<")):
                var inner: [Token] = []
                while index < tokens.count, tokens[index].kind != .special(UInt8(ascii: ">")),
                    index < tokens.count - 1
                {
                    if tokens[index].kind != .comment { inner.append(tokens[index]) }
                    index += 1
                }
                if index < tokens.count - 1 { index += 1 }  // ">"
                var route: [UInt8]?
                if let colon = inner.firstIndex(where: { $0.kind == .special(UInt8(ascii: ":")) }) {
                    route = joinRaw(Array(inner[..<colon]))
                    inner = Array(inner[(colon + 1)...])
                }
                let at = inner.lastIndex { $0.kind == .special(UInt8(ascii: "@")) }
                let local = at.map { Array(inner[..<$0]) } ?? inner
                let domain = at.map { Array(inner[($0 + 1)...]) } ?? []
                let name = phrase.isEmpty ? comment : joinPhrase(phrase)
                result.append(
                    MIMEAddress(
                        kind: .mailbox, name: name.flatMap { $0.isEmpty ? nil : $0 }, route: route,
                        mailbox: joinRaw(local), host: joinRaw(domain)))
                phrase = []
                comment = nil
                // Skip anything up to the next separator (garbage after ">").
                while index < tokens.count - 1, !isSeparator(tokens[index].kind) { index += 1 }
            case .special(UInt8(ascii: ",")):
                flushBare()
            case .special(UInt8(ascii: ";")):
                flushBare()
                if inGroup {
                    result.append(MIMEAddress(kind: .groupEnd, name: nil, route: nil, mailbox: nil, host: nil))
                    inGroup = false
                }
            case .special(ASCII.space):
                flushBare()
                if inGroup {
                    result.append(MIMEAddress(kind: .groupEnd, name: nil, route: nil, mailbox: nil, host: nil))
                    inGroup = false
                }
            default:
                phrase.append(token)
            }
        }
        return result
    }

    private static func isSeparator(_ kind: Token.Kind) -> Bool {
        kind == .special(UInt8(ascii: ",")) || kind == .special(UInt8(ascii: ";"))
    }

    /// Tokens as written, without the whitespace between them (local parts and domains).
    private static func joinRaw(_ tokens: [Token]) -> [UInt8] {
        tokens.reduce(into: []) { $0 += $1.raw }
    }

    /// RFC 5322 3.2.5 phrase: words joined by one space where the source had whitespace, quotes removed.
    private static func joinPhrase(_ tokens: [Token]) -> [UInt8]? {
        guard !tokens.isEmpty else { return nil }
        var out: [UInt8] = []
        for (position, token) in tokens.enumerated() {
            if position > 0, token.spaceBefore { out.append(ASCII.space) }
            out += token.text
        }
        return out
    }
}

/// A lexical token of RFC 5322 3.2 structured header text.
struct Token {
    enum Kind: Equatable {
        case atom
        case quoted
        case domainLiteral
        case comment
        case special(UInt8)
    }

    var kind: Kind
    /// The meaning: quoted strings unescaped, comments without parentheses.
    var text: [UInt8]
    /// Whether whitespace or a comment came before it.
    var spaceBefore: Bool
    /// The token as written (quoted strings keep their quotes).
    var raw: [UInt8] = []
}

/// Splits structured header bytes into RFC 5322 3.2 tokens; 8-bit bytes count as atom text (RFC 6532 3.2).
struct AddressTokenizer {
    let bytes: [UInt8]

    func tokens() -> [Token] {
        var out: [Token] = []
        var index = 0
        var space = false
        let specials = ByteSet.addressSpecials
        while index < bytes.count {
            let byte = bytes[index]
            if ASCII.isAnyWhitespace(byte) {
                space = true
                index += 1
            } else if byte == UInt8(ascii: "(") {
                var depth = 0
                var text: [UInt8] = []
                while index < bytes.count {
                    let current = bytes[index]
                    index += 1
                    if current == ASCII.backslash, index < bytes.count {
                        text.append(bytes[index])
                        index += 1
                        continue
                    }
                    if current == UInt8(ascii: "(") {
                        depth += 1
                        if depth == 1 { continue }
                    } else if current == UInt8(ascii: ")") {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    text.append(current)
                }
                out.append(Token(kind: .comment, text: Array(ArraySlice(text).trimmed), spaceBefore: space))
                space = true
            } else if byte == ASCII.quote {
                let start = index
                var text: [UInt8] = []
                index += 1
                while index < bytes.count, bytes[index] != ASCII.quote {
                    if bytes[index] == ASCII.backslash, index + 1 < bytes.count { index += 1 }
                    text.append(bytes[index])
                    index += 1
                }
                if index < bytes.count { index += 1 }
                out.append(Token(kind: .quoted, text: text, spaceBefore: space, raw: Array(bytes[start..<index])))
                space = false
            } else if byte == UInt8(ascii: "[") {
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "]") { index += 1 }
                if index < bytes.count { index += 1 }
                let raw = Array(bytes[start..<index])
                out.append(Token(kind: .domainLiteral, text: raw, spaceBefore: space, raw: raw))
                space = false
            } else if specials.contains(byte) {
                out.append(Token(kind: .special(byte), text: [byte], spaceBefore: space, raw: [byte]))
                index += 1
                space = false
            } else {
                // Atom text; "." is folded into atoms so obs-phrase "J. Smith" and dot-atoms stay whole.
                let start = index
                while index < bytes.count, !ASCII.isAnyWhitespace(bytes[index]), !specials.contains(bytes[index]) {
                    index += 1
                }
                let raw = Array(bytes[start..<index])
                out.append(Token(kind: .atom, text: raw, spaceBefore: space, raw: raw))
                space = false
            }
        }
        return out
    }
}
