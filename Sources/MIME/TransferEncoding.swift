// RFC 2045 6 Content-Transfer-Encoding: base64 and quoted-printable decoding for BINARY (RFC 3516).

/// Content-Transfer-Encoding decoders.
public enum TransferEncoding {
    /// Base64 (RFC 2045 6.8). Lenient mode skips bytes outside the alphabet and stops at padding, as RFC 2045
    /// asks of decoders; strict mode (RFC 2047 B words) refuses them and returns nil.
    public static func decodeBase64(_ bytes: some Collection<UInt8>, strict: Bool = false) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 4 * 3 + 3)
        var accumulator: UInt32 = 0
        var bits = 0
        var sawPadding = false
        for byte in bytes {
            let value: UInt32
            switch byte {
            case 65...90: value = UInt32(byte - 65)
            case 97...122: value = UInt32(byte - 71)
            case 48...57: value = UInt32(byte + 4)
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case ASCII.equals:
                sawPadding = true
                continue
            default:
                if strict { return nil }
                continue
            }
            if sawPadding {
                if strict { return nil }
                break
            }
            accumulator = (accumulator << 6 | value) & 0xFFFFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }

    /// Quoted-printable (RFC 2045 6.7): `=XX` bytes, `=` at line end is a soft break, trailing whitespace on a
    /// line is dropped (rule 3); a malformed `=` is kept as written (the RFC's recommended leniency).
    public static func decodeQuotedPrintable(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var lineStart = 0
        while lineStart < bytes.count {
            let line = bytes.line(at: lineStart, limit: bytes.count)
            var contentEnd = line.contentEnd
            while contentEnd > line.start, ASCII.isWhitespace(bytes[contentEnd - 1]) { contentEnd -= 1 }
            var softBreak = false
            var index = line.start
            while index < contentEnd {
                let byte = bytes[index]
                if byte == ASCII.equals {
                    if index + 1 == contentEnd {
                        softBreak = true
                        index += 1
                        continue
                    }
                    if index + 2 < contentEnd, let high = ASCII.hexValue(bytes[index + 1]),
                        let low = ASCII.hexValue(bytes[index + 2])
                    {
                        out.append(high << 4 | low)
                        index += 3
                        continue
                    }
                }
                out.append(byte)
                index += 1
            }
            if !softBreak {
                // The line break is kept as written (CRLF, or a bare LF in lenient input).
                out += bytes[line.contentEnd..<line.end]
            }
            lineStart = line.end
        }
        return out
    }
}
