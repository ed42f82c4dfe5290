import MailStore
import MailgateCore

/// Parses one complete command (its lines and literals, as the client sent them) into an
/// ``IMAPCommand`` (RFC 3501 9 grammar). Total: any input gives a command or an
/// ``IMAPParseError``, never a trap.
public enum IMAPCommandParser {
    /// Parses `bytes`: the command line(s) without the final CRLF, literals inlined after their `{N}` CRLF.
    public static func parse(_ bytes: [UInt8]) -> Result<IMAPCommand, IMAPParseError> {
        var scanner = IMAPScanner(bytes)
        do throws(IMAPParseError) {
            let tag = try scanner.atom()
            guard !tag.contains("+") else { throw scanner.fail("bad tag") }
            scanner.tag = tag
            try scanner.space()
            let kind = try command(&scanner)
            try scanner.end()
            return .success(IMAPCommand(tag: tag, kind))
        } catch {
            return .failure(error)
        }
    }

    /// Fuzz entry point (STYLE.md 3): parsing any bytes must not trap.
    public static func fuzz(_ bytes: UnsafeRawBufferPointer) {
        _ = parse(Array(bytes))
        var assembler = IMAPCommandAssembler(maximumLiteralSize: 1 << 20, maximumCommandSize: 1 << 22)
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            _ = assembler.line(Array(line))
        }
    }

    private static func command(_ s: inout IMAPScanner) throws(IMAPParseError) -> IMAPCommand.Kind {
        let name = try s.keyword()
        switch name {
        case "CAPABILITY": return .capability
        case "NOOP": return .noop
        case "LOGOUT": return .logout
        case "STARTTLS": return .startTLS
        case "CHECK": return .check
        case "CLOSE": return .close
        case "UNSELECT": return .unselect
        case "IDLE": return .idle
        case "NAMESPACE": return .namespace
        case "EXPUNGE": return .expunge
        case "LOGIN":
            try s.space()
            let user = try s.astringText()
            try s.space()
            return .login(user: user, password: Secret(try s.astringText()))
        case "AUTHENTICATE":
            try s.space()
            let mechanism = try s.keyword()
            var initial: String?
            if s.skip(UInt8(ascii: " ")) {
                initial = s.skip(UInt8(ascii: "=")) ? "=" : try s.atom()
            }
            return .authenticate(mechanism: mechanism, initialResponse: initial)
        case "ID":
            try s.space()
            return .id(try idParameters(&s))
        case "ENABLE":
            var capabilities: [String] = []
            while s.skip(UInt8(ascii: " ")) {
                guard capabilities.count < 100 else { throw s.fail("too many capabilities") }
                capabilities.append(try s.keyword())
            }
            guard !capabilities.isEmpty else { throw s.fail("ENABLE needs a capability") }
            return .enable(capabilities)
        case "SELECT", "EXAMINE":
            try s.space()
            let mailbox = try s.mailbox()
            var condstore = false
            var qresync: IMAPQResync?
            if s.skip(UInt8(ascii: " ")) {
                // RFC 4466 select-params; RFC 7162 3.1.8 CONDSTORE, 3.2.5 QRESYNC.
                _ = try s.parenthesised { (t: inout IMAPScanner) throws(IMAPParseError) -> Bool in
                    switch try t.keyword() {
                    case "CONDSTORE": condstore = true
                    case "QRESYNC":
                        try t.space()
                        qresync = try qresyncParameter(&t)
                    default: throw t.fail("unsupported SELECT parameter")
                    }
                    return true
                }
            }
            return .select(mailbox: mailbox, readOnly: name == "EXAMINE", condstore: condstore, qresync: qresync)
        case "CREATE":
            try s.space()
            return .create(try s.mailbox())
        case "DELETE":
            try s.space()
            return .delete(try s.mailbox())
        case "RENAME":
            try s.space()
            let from = try s.mailbox()
            try s.space()
            return .rename(from: from, to: try s.mailbox())
        case "SUBSCRIBE":
            try s.space()
            return .subscribe(try s.mailbox())
        case "UNSUBSCRIBE":
            try s.space()
            return .unsubscribe(try s.mailbox())
        case "LIST": return .list(try list(&s))
        case "LSUB":
            try s.space()
            let reference = try s.mailbox()
            try s.space()
            return .lsub(reference: reference, pattern: try s.listMailbox())
        case "STATUS":
            try s.space()
            let mailbox = try s.mailbox()
            try s.space()
            return .status(mailbox: mailbox, items: try statusItems(&s))
        case "APPEND": return try append(&s)
        case "GETQUOTAROOT":
            try s.space()
            return .getQuotaRoot(try s.mailbox())
        case "GETQUOTA":
            try s.space()
            return .getQuota(try s.astringText())
        case "FETCH", "STORE", "COPY", "MOVE", "SEARCH", "SORT": return try sequenceCommand(name, uid: false, &s)
        case "UID":
            try s.space()
            let inner = try s.keyword()
            if inner == "EXPUNGE" {
                try s.space()
                return .uidExpunge(try s.sequenceSet())
            }
            guard ["FETCH", "STORE", "COPY", "MOVE", "SEARCH", "SORT"].contains(inner) else {
                throw s.fail("unknown UID command")
            }
            return try sequenceCommand(inner, uid: true, &s)
        default:
            throw s.fail("unknown command")
        }
    }

    private static func sequenceCommand(_ name: String, uid: Bool, _ s: inout IMAPScanner) throws(IMAPParseError)
        -> IMAPCommand.Kind
    {
        try s.space()
        switch name {
        case "SORT":
            // RFC 5256 3: sort-criteria SP search-criteria, where the charset is required.
            let criteria = try s.parenthesised { (t: inout IMAPScanner) throws(IMAPParseError) -> IMAPSortKey in
                var word = try t.keyword()
                var reverse = false
                if word == "REVERSE" {
                    reverse = true
                    try t.space()
                    word = try t.keyword()
                }
                guard let criterion = IMAPSortKey.Criterion(rawValue: word) else { throw t.fail("unknown sort key") }
                return IMAPSortKey(criterion, reverse: reverse)
            }
            guard !criteria.isEmpty else { throw s.fail("SORT needs at least one criterion") }
            try s.space()
            let charset = try s.astringText().uppercased()
            guard charset == "UTF-8" || charset == "US-ASCII" else {
                throw s.fail("[BADCHARSET (UTF-8 US-ASCII)] unsupported charset")
            }
            try s.space()
            return .sort(criteria, try IMAPSearchParser.keys(&s), uid: uid)
        case "SEARCH":
            var options: Set<String>?
            if s.skipKeyword("RETURN") {
                // RFC 4731 3.1: empty options mean ALL; RFC 5182 SAVE keeps the result for `$`.
                try s.space()
                let words = try s.parenthesised { (t: inout IMAPScanner) throws(IMAPParseError) -> String in
                    let word = try t.keyword()
                    guard ["MIN", "MAX", "ALL", "COUNT", "SAVE"].contains(word) else {
                        throw t.fail("unsupported RETURN option")
                    }
                    return word
                }
                options = words.isEmpty ? ["ALL"] : Set(words)
                try s.space()
            }
            return .search(try IMAPSearchParser.search(&s), uid: uid, returnOptions: options)
        case "FETCH":
            let set = try s.sequenceSet()
            try s.space()
            let items = try IMAPFetchParser.items(&s)
            var changedSince: ModSeq?
            var vanished = false
            if s.skip(UInt8(ascii: " ")) {
                // RFC 7162 3.1.4.1: FETCH modifier CHANGEDSINCE; 3.2.6 VANISHED (UID FETCH only).
                let modifiers = try s.parenthesised { (t: inout IMAPScanner) throws(IMAPParseError) -> ModSeq? in
                    let word = try t.keyword()
                    guard word == "CHANGEDSINCE" else {
                        guard word == "VANISHED", uid else { throw t.fail("unsupported FETCH modifier") }
                        vanished = true
                        return nil
                    }
                    try t.space()
                    return ModSeq(try t.number64() & UInt64(Int64.max))
                }
                changedSince = modifiers.compactMap { $0 }.first
                guard !vanished || changedSince != nil else { throw s.fail("VANISHED needs CHANGEDSINCE") }
            }
            return .fetch(set, items: items, changedSince: changedSince, uid: uid, vanished: vanished)
        case "STORE":
            let set = try s.sequenceSet()
            try s.space()
            var unchangedSince: ModSeq?
            if s.peek == UInt8(ascii: "(") {
                let modifiers = try s.parenthesised { (t: inout IMAPScanner) throws(IMAPParseError) -> ModSeq in
                    guard try t.keyword() == "UNCHANGEDSINCE" else { throw t.fail("unsupported STORE modifier") }
                    try t.space()
                    return ModSeq(try t.number64() & UInt64(Int64.max))
                }
                unchangedSince = modifiers.first
                try s.space()
            }
            let item = try s.keyword()
            let mode: FlagChangeMode
            var base = item
            if item.hasPrefix("+") {
                mode = .add
                base.removeFirst()
            } else if item.hasPrefix("-") {
                mode = .remove
                base.removeFirst()
            } else {
                mode = .replace
            }
            guard base == "FLAGS" || base == "FLAGS.SILENT" else { throw s.fail("expected FLAGS, +FLAGS or -FLAGS") }
            try s.space()
            var flags: [String]
            if s.peek == UInt8(ascii: "(") {
                flags = try s.parenthesised { (t: inout IMAPScanner) throws(IMAPParseError) in try t.flag() }
            } else {
                flags = [try s.flag()]
                while s.skip(UInt8(ascii: " ")) { flags.append(try s.flag()) }
            }
            return .store(
                set,
                IMAPStoreChange(
                    mode: mode, isSilent: base.hasSuffix(".SILENT"), flags: flags,
                    unchangedSince: unchangedSince), uid: uid)
        default:
            let set = try s.sequenceSet()
            try s.space()
            let mailbox = try s.mailbox()
            return name == "COPY"
                ? .copy(set, mailbox: mailbox, uid: uid) : .move(set, mailbox: mailbox, uid: uid)
        }
    }

    /// RFC 7162 3.2.5: `(uidvalidity modseq [known-uids [(seq-match-data)]])`; the match data is read
    /// and ignored (it only narrows what the server must send).
    private static func qresyncParameter(_ s: inout IMAPScanner) throws(IMAPParseError) -> IMAPQResync {
        try s.expect(UInt8(ascii: "("))
        let validity = try s.nzNumber()
        try s.space()
        let modSeq = ModSeq(try s.number64() & UInt64(Int64.max))
        var known: IMAPSequenceSet?
        if s.skip(UInt8(ascii: " ")) {
            if s.peek != UInt8(ascii: "(") {
                known = try s.sequenceSet()
                _ = s.skip(UInt8(ascii: " "))
            }
            if s.skip(UInt8(ascii: "(")) {
                _ = try s.sequenceSet()
                try s.space()
                _ = try s.sequenceSet()
                try s.expect(UInt8(ascii: ")"))
            }
        }
        try s.expect(UInt8(ascii: ")"))
        return IMAPQResync(uidValidity: validity, modSeq: modSeq, knownUIDs: known)
    }

    /// RFC 2971: `ID NIL` or `ID ("key" "value" ...)`.
    private static func idParameters(_ s: inout IMAPScanner) throws(IMAPParseError) -> [String: String] {
        if s.peek != UInt8(ascii: "(") {
            guard try s.keyword() == "NIL" else { throw s.fail("expected NIL or a parameter list") }
            return [:]
        }
        let strings = try s.parenthesised { (t: inout IMAPScanner) throws(IMAPParseError) in try t.nstring() }
        guard strings.count % 2 == 0, strings.count <= 60 else { throw s.fail("bad ID parameter list") }
        var result: [String: String] = [:]
        for pair in stride(from: 0, to: strings.count, by: 2) {
            guard let key = strings[pair] else { throw s.fail("an ID key cannot be NIL") }
            result[String(decoding: key, as: UTF8.self)] = strings[pair + 1].map { String(decoding: $0, as: UTF8.self) }
        }
        return result
    }

    private static func statusItems(_ s: inout IMAPScanner) throws(IMAPParseError) -> [IMAPStatusItem] {
        let items = try s.parenthesised { (t: inout IMAPScanner) throws(IMAPParseError) -> IMAPStatusItem in
            guard let item = IMAPStatusItem(rawValue: try t.keyword()) else { throw t.fail("unknown STATUS item") }
            return item
        }
        guard !items.isEmpty else { throw s.fail("STATUS needs at least one item") }
        return items
    }

    /// RFC 3501 6.3.8, RFC 5258 3 (LIST-EXTENDED), RFC 5819 (LIST-STATUS).
    private static func list(_ s: inout IMAPScanner) throws(IMAPParseError) -> IMAPListCommand {
        try s.space()
        var command = IMAPListCommand(reference: "", patterns: [])
        if s.peek == UInt8(ascii: "(") {
            command.selectOptions = Set(
                try s.parenthesised { (t: inout IMAPScanner) throws(IMAPParseError) in try t.keyword() })
            try s.space()
        }
        command.reference = try s.mailbox()
        try s.space()
        if s.peek == UInt8(ascii: "(") {
            command.patterns = try s.parenthesised { (t: inout IMAPScanner) throws(IMAPParseError) in
                try t.listMailbox()
            }
            guard !command.patterns.isEmpty else { throw s.fail("empty pattern list") }
        } else {
            command.patterns = [try s.listMailbox()]
        }
        if s.skip(UInt8(ascii: " ")) {
            guard try s.keyword() == "RETURN" else { throw s.fail("expected RETURN") }
            try s.space()
            var requestedStatus: [IMAPStatusItem] = []
            let options = try s.parenthesised { (t: inout IMAPScanner) throws(IMAPParseError) -> String in
                let option = try t.keyword()
                if option == "STATUS" {
                    try t.space()
                    requestedStatus = try statusItems(&t)
                }
                return option
            }
            command.returnOptions = Set(options)
            command.statusItems = requestedStatus
        }
        return command
    }

    /// RFC 3501 6.3.11: `APPEND mailbox [flag-list] [date-time] literal`.
    private static func append(_ s: inout IMAPScanner) throws(IMAPParseError) -> IMAPCommand.Kind {
        try s.space()
        let mailbox = try s.mailbox()
        try s.space()
        var flags: [String] = []
        if s.peek == UInt8(ascii: "(") {
            flags = try s.parenthesised { (t: inout IMAPScanner) throws(IMAPParseError) in try t.flag() }
            try s.space()
        }
        var date: IMAPDateTime?
        if s.peek == UInt8(ascii: "\"") {
            let text = String(decoding: try s.string(), as: UTF8.self)
            guard let parsed = IMAPDateFormat.parseDateTime(text) else { throw s.fail("bad date-time") }
            date = parsed
            try s.space()
        }
        guard s.peek == UInt8(ascii: "{") else { throw s.fail("APPEND needs the message as a literal") }
        let message = try s.literal()
        if s.peek == UInt8(ascii: " ") { throw s.fail("MULTIAPPEND is not supported") }
        return .append(mailbox: mailbox, flags: flags, date: date?.date, message: message)
    }
}
