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
        // One pass classifies the bytes; most header strings are short 7-bit text without specials.
        var hasNUL = false
        var hasLineBreak = false
        var is8Bit = false
        var escapes = 0
        for byte in value {
            switch byte {
            case 0: hasNUL = true
            case ASCII.cr, ASCII.lf: hasLineBreak = true
            case ASCII.quote, ASCII.backslash: escapes += 1
            case 0x80...: is8Bit = true
            default: break
            }
        }
        if hasNUL { return string(value.filter { $0 != 0 }) }
        let quotable =
            !hasLineBreak
            && (!is8Bit || (revision == .rev2 && String(validating: value, as: UTF8.self) != nil))
        if quotable {
            bytes.reserveCapacity(bytes.count + value.count + escapes + 2)
            bytes.append(ASCII.quote)
            if escapes == 0 {
                bytes += value
            } else {
                for byte in value {
                    if byte == ASCII.quote || byte == ASCII.backslash { bytes.append(ASCII.backslash) }
                    bytes.append(byte)
                }
            }
            bytes.append(ASCII.quote)
        } else {
            raw("{\(value.count)}\r\n")
            bytes += value
        }
    }

    mutating func string(_ value: String) { string(Array(value.utf8)) }
}
