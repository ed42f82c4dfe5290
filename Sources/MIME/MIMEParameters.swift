// RFC 2045 5.1 parameter lists (`; name=value`) and their RFC 2231 continuations, charsets and languages.

/// One `name=value` parameter as written: the name keeps its case (`filename*0*`), the value is unquoted.
public struct MIMEParameter: Sendable, Hashable {
    /// The attribute as written, including any RFC 2231 `*N` / `*` suffix.
    public var name: String
    /// The value bytes with RFC 2045 quoting removed (`\"` unescaped); RFC 2231 percent-encoding is kept.
    public var value: [UInt8]

    /// Creates a parameter.
    public init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }
}

/// Parsing and decoding of parameter lists.
public enum MIMEParameters {
    /// Parses `value *(";" parameter)` leniently: returns the leading value (e.g. `text/plain`) and the parameters.
    ///
    /// Lenient: unquoted values may contain spaces up to the next `;`, comments (RFC 5322 3.2.2) between tokens
    /// are skipped, a parameter without `=` is dropped, an unterminated quoted string runs to the end.
    static func parse(_ bytes: [UInt8], maxCount: Int = 256) -> (value: [UInt8], parameters: [MIMEParameter]) {
        var index = 0
        let end = bytes.count
        func skipSpaceAndComments() {
            while index < end {
                if ASCII.isAnyWhitespace(bytes[index]) {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "(") {
                    var depth = 0
                    while index < end {
                        let byte = bytes[index]
                        index += 1
                        if byte == ASCII.backslash { index += 1; continue }
                        if byte == UInt8(ascii: "(") { depth += 1 }
                        if byte == UInt8(ascii: ")") { depth -= 1; if depth == 0 { break } }
                    }
                } else {
                    return
                }
            }
        }
        skipSpaceAndComments()
        var lead: [UInt8] = []
        while index < end, bytes[index] != ASCII.semicolon {
            if bytes[index] == UInt8(ascii: "(") {
                skipSpaceAndComments()
                continue
            }
            lead.append(bytes[index])
            index += 1
        }
        lead = Array(ArraySlice(lead).trimmed)
        var parameters: [MIMEParameter] = []
        while index < end, parameters.count < maxCount {
            index += 1  // the ";"
            skipSpaceAndComments()
            var name: [UInt8] = []
            while index < end, bytes[index] != ASCII.equals, bytes[index] != ASCII.semicolon {
                name.append(bytes[index])
                index += 1
            }
            let trimmedName = Array(ArraySlice(name).trimmed)
            guard index < end, bytes[index] == ASCII.equals else { continue }
            index += 1
            skipSpaceAndComments()
            var value: [UInt8] = []
            if index < end, bytes[index] == ASCII.quote {
                index += 1
                while index < end, bytes[index] != ASCII.quote {
                    if bytes[index] == ASCII.backslash, index + 1 < end { index += 1 }
                    value.append(bytes[index])
                    index += 1
                }
                if index < end { index += 1 }
                while index < end, bytes[index] != ASCII.semicolon { index += 1 }
            } else {
                while index < end, bytes[index] != ASCII.semicolon {
                    value.append(bytes[index])
                    index += 1
                }
                value = Array(ArraySlice(value).trimmed)
            }
            guard !trimmedName.isEmpty else { continue }
            parameters.append(MIMEParameter(name: headerText(trimmedName), value: value))
        }
        return (lead, parameters)
    }

    /// The decoded value of parameter `name` (case-insensitive), joining RFC 2231 continuations.
    ///
    /// RFC 2231 3-4: `name*0`, `name*1*`, ... are joined in numeric order; `*`-marked segments are
    /// percent-decoded, and the first segment's `charset'language'` prefix names the charset. A plain `name`
    /// is used when no RFC 2231 form exists. Real-world leniency: a value made of RFC 2047 encoded words
    /// (as some clients write filenames) is decoded too.
    public static func decodedValue(of name: String, in parameters: [MIMEParameter]) -> String? {
        let base = Array(name.utf8.asciiLowercased)
        var segments: [(number: Int, encoded: Bool, value: [UInt8])] = []
        var plain: [UInt8]?
        for parameter in parameters {
            let written = Array(parameter.name.utf8.asciiLowercased)
            if written == base {
                if plain == nil { plain = parameter.value }
                continue
            }
            guard written.count > base.count, written.starts(with: base), written[base.count] == UInt8(ascii: "*")
            else { continue }
            var rest = written[(base.count + 1)...]
            var encoded = false
            if rest.isEmpty || rest.last == UInt8(ascii: "*") {
                encoded = true
                rest = rest.dropLast()
            }
            var number = 0
            if !rest.isEmpty {  // empty: `name*=`, a single encoded segment (RFC 2231 4)
                guard rest.count <= 4, rest.allSatisfy({ (48...57).contains($0) }) else { continue }
                for digit in rest { number = number * 10 + Int(digit - 48) }
            }
            guard !segments.contains(where: { $0.number == number }) else { continue }
            segments.append((number, encoded, parameter.value))
        }
        guard !segments.isEmpty else {
            guard let plain else { return nil }
            return EncodedWords.decode(plain)
        }
        segments.sort { $0.number < $1.number }
        var charset: String?
        var joined: [UInt8] = []
        for (position, segment) in segments.enumerated() {
            var value = segment.value[...]
            if segment.encoded && position == 0 {
                // RFC 2231 4: charset'language'value; both parts may be empty.
                let quotes = value.indices.filter { value[$0] == UInt8(ascii: "'") }
                if quotes.count >= 2 {
                    charset = headerText(value[value.startIndex..<quotes[0]])
                    value = value[(quotes[1] + 1)...]
                }
            }
            joined += segment.encoded ? percentDecoded(value) : Array(value)
        }
        return Charsets.decode(joined, charset: charset ?? "utf-8") ?? headerText(joined)
    }

    /// RFC 2231 4: `%XX` escapes; a malformed escape is kept as written.
    static func percentDecoded(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.endIndex,
                let high = ASCII.hexValue(bytes[index + 1]), let low = ASCII.hexValue(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }
}
