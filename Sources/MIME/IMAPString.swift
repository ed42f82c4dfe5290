// RFC 3501 4.3 / RFC 9051 4.3 strings for FETCH responses: NIL, quoted, or literal.

/// Which IMAP grammar a rendering follows.
public enum IMAPRevision: Sendable, Hashable {
    /// IMAP4rev1 (RFC 3501): quoted strings are 7-bit; anything 8-bit is sent as a literal.
    case rev1
    /// IMAP4rev2 (RFC 9051), or IMAP4rev1 after ENABLE UTF8=ACCEPT (RFC 6855): valid UTF-8 may be quoted,
    /// and `message/global` parts are described like `message/rfc822`.
    case rev2
}

/// Appends IMAP strings to a byte buffer.
struct IMAPWriter {
    var bytes: [UInt8] = []
    let revision: IMAPRevision

    mutating func raw(_ text: String) { bytes += text.utf8 }

    mutating func nilOrString(_ value: [UInt8]?) {
        guard let value else { return raw("NIL") }
        string(value)
    }

    mutating func nilOrString(_ value: String?) { nilOrString(value.map { Array($0.utf8) }) }

    /// A string: quoted when safe, else a literal `{n}\r\n...`.
    ///
    /// Quoted: no CR, LF or NUL, and 7-bit (rev1) or valid UTF-8 (rev2); `"` and `\` are escaped (RFC 3501 9
    /// `quoted-specials`). Otherwise a literal. NUL bytes are dropped: RFC 3501's CHAR8 excludes NUL even in
    /// literals, and header text never legitimately holds one.
    mutating func string(_ value: [UInt8]) {
        let value = value.contains(0) ? value.filter { $0 != 0 } : value
        let hasLineBreak = value.contains(ASCII.cr) || value.contains(ASCII.lf)
        let is8Bit = value.contains { $0 >= 0x80 }
        let quotable =
            !hasLineBreak
            && (!is8Bit || (revision == .rev2 && String(validating: value, as: UTF8.self) != nil))
        if quotable {
            bytes.append(ASCII.quote)
            for byte in value {
                if byte == ASCII.quote || byte == ASCII.backslash { bytes.append(ASCII.backslash) }
                bytes.append(byte)
            }
            bytes.append(ASCII.quote)
        } else {
            raw("{\(value.count)}\r\n")
            bytes += value
        }
    }

    mutating func string(_ value: String) { string(Array(value.utf8)) }
}
