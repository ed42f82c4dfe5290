/// FETCH attributes (RFC 3501 6.4.5, 9 `fetch-att`; RFC 3516 BINARY; RFC 7162 MODSEQ).
enum IMAPFetchParser {
    static func items(_ s: inout IMAPScanner) throws(IMAPParseError) -> [IMAPFetchItem] {
        if s.peek == UInt8(ascii: "(") {
            let items = try s.parenthesised { (t: inout IMAPScanner) throws(IMAPParseError) in try item(&t) }
            guard !items.isEmpty else { throw s.fail("FETCH needs at least one item") }
            return items
        }
        let saved = s.index
        switch try s.keyword() {
        case "ALL": return IMAPFetchItem.all
        case "FAST": return IMAPFetchItem.fast
        case "FULL": return IMAPFetchItem.full
        default:
            s.index = saved
            return [try item(&s)]
        }
    }

    static func item(_ s: inout IMAPScanner) throws(IMAPParseError) -> IMAPFetchItem {
        // The name runs up to "[" (atom chars exclude "[" only in our reading here).
        let start = s.index
        while let byte = s.peek, IMAPScanner.isAtomChar(byte), byte != UInt8(ascii: "[") { s.index += 1 }
        guard s.index > start else { throw s.fail("expected a FETCH item") }
        let name = String(decoding: s.bytes[start..<s.index], as: UTF8.self).uppercased()
        switch name {
        case "FLAGS": return .flags
        case "UID": return .uid
        case "INTERNALDATE": return .internalDate
        case "RFC822.SIZE": return .rfc822Size
        case "RFC822": return .rfc822
        case "RFC822.HEADER": return .rfc822Header
        case "RFC822.TEXT": return .rfc822Text
        case "ENVELOPE": return .envelope
        case "BODYSTRUCTURE": return .bodyStructure
        case "MODSEQ": return .modSeq
        case "BODY" where s.peek != UInt8(ascii: "["): return .body
        case "BODY", "BODY.PEEK":
            let section = try sectionText(&s)
            return .section(section, partial: try partial(&s), peek: name == "BODY.PEEK")
        case "BINARY", "BINARY.PEEK":
            let part = try partNumbers(&s)
            return .binary(part, partial: try partial(&s), peek: name == "BINARY.PEEK")
        case "BINARY.SIZE": return .binarySize(try partNumbers(&s))
        default: throw s.fail("unknown FETCH item \(name)")
        }
    }

    /// The text between `[` and `]`, upper-cased outside quoted strings; checked later against section-spec.
    private static func sectionText(_ s: inout IMAPScanner) throws(IMAPParseError) -> String {
        try s.expect(UInt8(ascii: "["))
        var out: [UInt8] = []
        var inQuote = false
        while let byte = s.peek {
            s.index += 1
            if byte == UInt8(ascii: "\"") { inQuote.toggle() }
            if !inQuote && byte == UInt8(ascii: "]") { return String(decoding: out, as: UTF8.self) }
            guard byte >= 0x20, byte < 0x7F, out.count < 4_096 else { throw s.fail("bad section") }
            out.append(inQuote ? byte : (byte >= 97 && byte <= 122 ? byte - 32 : byte))
        }
        throw s.fail("unterminated section")
    }

    /// `[1.2.3]` for BINARY: part numbers only (RFC 3516 `section-binary`).
    private static func partNumbers(_ s: inout IMAPScanner) throws(IMAPParseError) -> [Int] {
        try s.expect(UInt8(ascii: "["))
        var part: [Int] = []
        if s.skip(UInt8(ascii: "]")) { return part }
        repeat {
            guard part.count < 128 else { throw s.fail("too many part numbers") }
            part.append(Int(try s.nzNumber()))
        } while s.skip(UInt8(ascii: "."))
        try s.expect(UInt8(ascii: "]"))
        return part
    }

    /// `<origin.length>` (RFC 3501 9 `partial`; length non-zero).
    private static func partial(_ s: inout IMAPScanner) throws(IMAPParseError) -> IMAPPartial? {
        guard s.skip(UInt8(ascii: "<")) else { return nil }
        let origin = Int(try s.number())
        try s.expect(UInt8(ascii: "."))
        let length = Int(try s.nzNumber())
        try s.expect(UInt8(ascii: ">"))
        return IMAPPartial(origin: origin, length: length)
    }
}
