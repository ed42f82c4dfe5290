import MailStore

/// SEARCH keys (RFC 3501 6.4.4, 9 `search-key`; RFC 7162 3.1.5 MODSEQ).
enum IMAPSearchParser {
    /// Nesting limit for parentheses, NOT and OR (STYLE.md 3: bounded).
    static let maximumDepth = 32

    /// `[CHARSET astring SP] 1*search-key` (RFC 3501 6.4.4); also `RETURN ()` is refused.
    static func search(_ s: inout IMAPScanner) throws(IMAPParseError) -> IMAPSearchKey {
        let saved = s.index
        if s.skipKeyword("CHARSET") {
            try s.space()
            let charset = try s.astringText().uppercased()
            // RFC 3501 6.4.4: US-ASCII must be supported; UTF-8 (RFC 9051) as well.
            guard charset == "UTF-8" || charset == "US-ASCII" else {
                throw s.fail("[BADCHARSET (UTF-8 US-ASCII)] unsupported charset")
            }
            try s.space()
        } else {
            s.index = saved
        }
        return try keys(&s)
    }

    /// `1*search-key` separated by spaces, without a charset.
    static func keys(_ s: inout IMAPScanner) throws(IMAPParseError) -> IMAPSearchKey {
        var keys = [try key(&s, depth: 0)]
        while s.skip(UInt8(ascii: " ")) {
            guard keys.count < 1_000 else { throw s.fail("too many search keys") }
            keys.append(try key(&s, depth: 0))
        }
        return keys.count == 1 ? keys[0] : .and(keys)
    }

    static func key(_ s: inout IMAPScanner, depth: Int) throws(IMAPParseError) -> IMAPSearchKey {
        guard depth < maximumDepth else { throw s.fail("search keys nested too deeply") }
        if s.skip(UInt8(ascii: "(")) {
            var keys = [try key(&s, depth: depth + 1)]
            while s.skip(UInt8(ascii: " ")) {
                guard keys.count < 1_000 else { throw s.fail("too many search keys") }
                keys.append(try key(&s, depth: depth + 1))
            }
            try s.expect(UInt8(ascii: ")"))
            return keys.count == 1 ? keys[0] : .and(keys)
        }
        if let first = s.peek, (48...57).contains(first) || first == UInt8(ascii: "*") || first == UInt8(ascii: "$") {
            return .sequence(try s.sequenceSet())
        }
        let word = try s.keyword()
        func text(_ s: inout IMAPScanner) throws(IMAPParseError) -> String {
            try s.space()
            return String(decoding: try s.astring(), as: UTF8.self)
        }
        func day(_ s: inout IMAPScanner) throws(IMAPParseError) -> IMAPDay {
            try s.space()
            return try s.day()
        }
        switch word {
        case "ALL": return .all
        case "ANSWERED": return .flag("\\Answered", set: true)
        case "DELETED": return .flag("\\Deleted", set: true)
        case "DRAFT": return .flag("\\Draft", set: true)
        case "FLAGGED": return .flag("\\Flagged", set: true)
        case "SEEN": return .flag("\\Seen", set: true)
        case "UNANSWERED": return .flag("\\Answered", set: false)
        case "UNDELETED": return .flag("\\Deleted", set: false)
        case "UNDRAFT": return .flag("\\Draft", set: false)
        case "UNFLAGGED": return .flag("\\Flagged", set: false)
        case "UNSEEN": return .flag("\\Seen", set: false)
        case "KEYWORD":
            try s.space()
            return .flag(try s.atom(), set: true)
        case "UNKEYWORD":
            try s.space()
            return .flag(try s.atom(), set: false)
        case "NEW": return .new
        case "OLD": return .old
        case "RECENT": return .recent
        case "BCC", "CC", "FROM", "SUBJECT", "TO": return .header(word, try text(&s))
        case "HEADER":
            try s.space()
            let field = String(decoding: try s.astring(), as: UTF8.self)
            return .header(field.uppercased(), try text(&s))
        case "BODY": return .body(try text(&s))
        case "TEXT": return .text(try text(&s))
        case "BEFORE": return .before(try day(&s))
        case "ON": return .on(try day(&s))
        case "SINCE": return .since(try day(&s))
        case "SENTBEFORE": return .sentBefore(try day(&s))
        case "SENTON": return .sentOn(try day(&s))
        case "SENTSINCE": return .sentSince(try day(&s))
        case "LARGER":
            try s.space()
            return .larger(Int(try s.number()))
        case "SMALLER":
            try s.space()
            return .smaller(Int(try s.number()))
        case "UID":
            try s.space()
            return .uid(try s.sequenceSet())
        case "NOT":
            try s.space()
            return .not(try key(&s, depth: depth + 1))
        case "OR":
            try s.space()
            let left = try key(&s, depth: depth + 1)
            try s.space()
            return .or(left, try key(&s, depth: depth + 1))
        case "MODSEQ":
            // RFC 7162 3.1.5: MODSEQ [entry-name entry-type] mod-sequence-valzer.
            try s.space()
            if s.peek == UInt8(ascii: "\"") {
                _ = try s.string()
                try s.space()
                _ = try s.keyword()
                try s.space()
            }
            return .modSeq(ModSeq(try s.number64() & UInt64(Int64.max)))
        default:
            throw s.fail("unknown search key \(word)")
        }
    }
}
