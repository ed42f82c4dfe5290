// RFC 2047 encoded words in unstructured header text and phrases.

/// Decoding of RFC 2047 `=?charset?B|Q?text?=` words.
public enum EncodedWords {
    /// Decodes every well-formed encoded word in `bytes`; everything else is kept as written.
    ///
    /// - RFC 2047 6.2: whitespace between two adjacent encoded words is dropped, so a word split across
    ///   charsets joins up.
    /// - A malformed word (unknown charset or encoding, bad base64, undecodable bytes) is left as it is.
    /// - RFC 2231 5: a language suffix (`=?utf-8*en?Q?...?=`) is ignored.
    /// - Text outside words is UTF-8 when valid, else ISO-8859-1.
    public static func decode(_ bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        var result = ""
        var plainStart = 0
        var index = 0
        var lastWasWord = false
        while index + 1 < bytes.count {
            guard bytes[index] == ASCII.equals, bytes[index + 1] == ASCII.question,
                let word = decodeWord(bytes, at: index)
            else {
                index += 1
                continue
            }
            let between = bytes[plainStart..<index]
            if !(lastWasWord && between.allSatisfy(ASCII.isAnyWhitespace)) {
                result += headerText(between)
            }
            result += word.text
            index = word.end
            plainStart = index
            lastWasWord = true
        }
        if plainStart < bytes.count { result += headerText(bytes[plainStart...]) }
        return result
    }

    /// One encoded word starting at `start` (which holds `=?`): its text and the index after `?=`.
    static func decodeWord(_ bytes: [UInt8], at start: Int) -> (text: String, end: Int)? {
        // encoded-word = "=?" charset "?" encoding "?" encoded-text "?=" ; at most 75 bytes by the RFC, but
        // real mail exceeds that, so only a generous bound is kept.
        var index = start + 2
        let limit = min(bytes.count, start + 2048)
        var charset: [UInt8] = []
        while index < limit, bytes[index] != ASCII.question {
            guard !ASCII.isAnyWhitespace(bytes[index]) else { return nil }
            charset.append(bytes[index])
            index += 1
        }
        guard index + 2 < limit, bytes[index + 2] == ASCII.question else { return nil }
        let encoding = ASCII.lowercased(bytes[index + 1])
        index += 3
        let textStart = index
        while index + 1 < limit, !(bytes[index] == ASCII.question && bytes[index + 1] == ASCII.equals) {
            guard !ASCII.isAnyWhitespace(bytes[index]) else { return nil }
            index += 1
        }
        guard index + 1 < limit else { return nil }
        let encoded = bytes[textStart..<index]
        if let star = charset.firstIndex(of: UInt8(ascii: "*")) { charset = Array(charset[..<star]) }
        guard !charset.isEmpty else { return nil }
        let decodedBytes: [UInt8]?
        switch encoding {
        case UInt8(ascii: "b"): decodedBytes = TransferEncoding.decodeBase64(encoded, strict: true)
        case UInt8(ascii: "q"): decodedBytes = decodeQ(encoded)
        default: decodedBytes = nil
        }
        guard let decodedBytes, let text = Charsets.decode(decodedBytes, charset: headerText(charset)) else {
            return nil
        }
        return (text, index + 2)
    }

    /// RFC 2047 4.2: "_" is a space, `=XX` a byte; a malformed escape is kept.
    static func decodeQ(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "_") {
                out.append(ASCII.space)
            } else if byte == ASCII.equals, index + 2 < bytes.endIndex,
                let high = ASCII.hexValue(bytes[index + 1]), let low = ASCII.hexValue(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        return out
    }
}
