// RFC 3501 6.4.5 / 9 section-spec: `1.2.HEADER.FIELDS (SUBJECT FROM)` as a typed value.

/// What a BODY[...] section names (RFC 3501 6.4.5).
public struct MIMESectionSpec: Sendable, Hashable {
    /// The section-text after the part numbers.
    public enum Text: Sendable, Hashable {
        /// `HEADER`: the header of the message (or of the encapsulated message of a message/rfc822 part).
        case header
        /// `HEADER.FIELDS (...)`: only the named fields (case-insensitive).
        case headerFields([String])
        /// `HEADER.FIELDS.NOT (...)`: all but the named fields.
        case headerFieldsNot([String])
        /// `TEXT`: the body of the message (or of the encapsulated message).
        case text
        /// `MIME`: the MIME header of the part; only valid after part numbers.
        case mime
    }

    /// Part numbers, 1-based; empty for the whole message.
    public var part: [Int]
    /// The section-text; nil for the whole message or part.
    public var text: Text?

    /// Creates a section from its parts.
    public init(part: [Int] = [], text: Text? = nil) {
        self.part = part
        self.text = text
    }

    /// Parses the text between the brackets of `BODY[...]` (case-insensitive), e.g. `1.2.MIME`, `HEADER`, ``.
    ///
    /// - Throws: ``MIMESectionSpecError`` for anything outside RFC 3501's `section-spec` (IMAP answers BAD).
    public init(parsing spec: String) throws(MIMESectionSpecError) {
        var scanner = SectionScanner(bytes: Array(spec.utf8))
        self = try scanner.parse()
    }
}

/// Why a section-spec was refused.
public enum MIMESectionSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text does not follow RFC 3501's `section-spec` grammar; the payload says where.
    case invalid(String)

    /// Text for the BAD reply.
    public var description: String {
        switch self {
        case .invalid(let detail): "invalid section: \(detail)"
        }
    }
}

private struct SectionScanner {
    let bytes: [UInt8]
    var index = 0

    mutating func parse() throws(MIMESectionSpecError) -> MIMESectionSpec {
        var spec = MIMESectionSpec()
        guard !bytes.isEmpty else { return spec }
        while index < bytes.count, (48...57).contains(bytes[index]) {
            let start = index
            var number = 0
            while index < bytes.count, (48...57).contains(bytes[index]) {
                guard index - start < 9 else { throw .invalid("part number too large") }
                number = number * 10 + Int(bytes[index] - 48)
                index += 1
            }
            guard number > 0 else { throw .invalid("part numbers start at 1") }
            guard spec.part.count < 128 else { throw .invalid("too many part numbers") }
            spec.part.append(number)
            guard index < bytes.count else { return spec }
            guard bytes[index] == UInt8(ascii: ".") else { throw .invalid("expected \".\" after a part number") }
            index += 1
        }
        let rest = Array(bytes[index...])
        let upper = rest.map(ASCII.uppercased)
        func keyword(_ word: String) -> Bool { upper.starts(with: Array(word.utf8)) }
        if upper == Array("HEADER".utf8) {
            spec.text = .header
        } else if upper == Array("TEXT".utf8) {
            spec.text = .text
        } else if upper == Array("MIME".utf8) {
            guard !spec.part.isEmpty else { throw .invalid("MIME needs a part number") }
            spec.text = .mime
        } else if keyword("HEADER.FIELDS.NOT") {
            spec.text = .headerFieldsNot(try Self.fieldList(rest.dropFirst(17)))
        } else if keyword("HEADER.FIELDS") {
            spec.text = .headerFields(try Self.fieldList(rest.dropFirst(13)))
        } else {
            throw .invalid("unknown section text")
        }
        return spec
    }

    /// `SP "(" header-fld-name *(SP header-fld-name) ")"`; names are atoms or quoted strings.
    private static func fieldList(_ bytes: ArraySlice<UInt8>) throws(MIMESectionSpecError) -> [String] {
        var rest = bytes
        guard rest.first == ASCII.space else { throw .invalid("expected a space before the field list") }
        rest = rest.dropFirst()
        guard rest.first == UInt8(ascii: "("), rest.last == UInt8(ascii: ")") else {
            throw .invalid("expected a parenthesised field list")
        }
        var inner = rest.dropFirst().dropLast()[...]
        var names: [String] = []
        while !inner.isEmpty {
            if inner.first == ASCII.space {
                inner = inner.dropFirst()
                continue
            }
            var name: [UInt8] = []
            if inner.first == ASCII.quote {
                inner = inner.dropFirst()
                while let byte = inner.first, byte != ASCII.quote {
                    inner = inner.dropFirst()
                    if byte == ASCII.backslash, let escaped = inner.first {
                        name.append(escaped)
                        inner = inner.dropFirst()
                    } else {
                        name.append(byte)
                    }
                }
                guard inner.first == ASCII.quote else { throw .invalid("unterminated quoted field name") }
                inner = inner.dropFirst()
            } else {
                while let byte = inner.first, byte != ASCII.space {
                    guard byte > 32, byte < 127, byte != UInt8(ascii: "("), byte != UInt8(ascii: ")") else {
                        throw .invalid("bad character in a field name")
                    }
                    name.append(byte)
                    inner = inner.dropFirst()
                }
            }
            guard !name.isEmpty else { throw .invalid("empty field name") }
            names.append(headerText(name))
        }
        guard !names.isEmpty else { throw .invalid("empty field list") }
        return names
    }
}
