import MailListener
import MailStore
import MailgateCore
import NIOCore
import Testing

@testable import IMAPServer

/// Table-driven tests of the command grammar (RFC 3501 9) and its encoders.
@Suite("IMAP command parser")
struct IMAPCommandParserTests {
    static func parse(_ text: String) -> Result<IMAPCommand, IMAPParseError> {
        IMAPCommandParser.parse(Array(text.utf8))
    }

    static let valid: [(String, String, IMAPCommand.Kind)] = [
        ("RFC 3501 6.1.1: CAPABILITY, any case", "a capability", .capability),
        (
            "RFC 3501 6.2.3: LOGIN with quoted strings", "a LOGIN \"ann\" \"p\\\"w\"",
            .login(user: "ann", password: Secret("p\"w"))
        ),
        (
            "RFC 7888: LOGIN with a non-synchronising literal", "a LOGIN ann {2+}\r\npw",
            .login(user: "ann", password: Secret("pw"))
        ),
        (
            "RFC 4959: AUTHENTICATE with an empty initial response", "a AUTHENTICATE PLAIN =",
            .authenticate(mechanism: "PLAIN", initialResponse: "=")
        ),
        (
            "RFC 3501 5.1.3: mailbox names are modified UTF-7", "a SELECT \"Caf&AOk-\"",
            .select(mailbox: "Café", readOnly: false, condstore: false)
        ),
        (
            "RFC 7162 3.1.8: EXAMINE with CONDSTORE", "a EXAMINE INBOX (CONDSTORE)",
            .select(mailbox: "INBOX", readOnly: true, condstore: true)
        ),
        (
            "RFC 3501 6.3.10: STATUS items", "a STATUS INBOX (MESSAGES UIDNEXT)",
            .status(mailbox: "INBOX", items: [.messages, .uidNext])
        ),
        (
            "RFC 3501 6.4.5: FETCH macro FAST", "a FETCH 1:* FAST",
            .fetch(IMAPSequenceSet([.init(1, nil)]), items: IMAPFetchItem.fast, changedSince: nil, uid: false)
        ),
        (
            "RFC 3501 6.4.5: BODY.PEEK with a partial", "a UID FETCH 4,6:7 (UID BODY.PEEK[1.MIME]<0.100>)",
            .fetch(
                IMAPSequenceSet([.init(4, 4), .init(6, 7)]),
                items: [.uid, .section("1.MIME", partial: IMAPPartial(origin: 0, length: 100), peek: true)],
                changedSince: nil, uid: true)
        ),
        (
            "RFC 7162 3.1.4: FETCH CHANGEDSINCE", "a FETCH 1 (FLAGS) (CHANGEDSINCE 12)",
            .fetch(IMAPSequenceSet([.init(1, 1)]), items: [.flags], changedSince: 12, uid: false)
        ),
        (
            "RFC 3516: BINARY.SIZE", "a FETCH 1 BINARY.SIZE[2.1]",
            .fetch(IMAPSequenceSet([.init(1, 1)]), items: [.binarySize([2, 1])], changedSince: nil, uid: false)
        ),
        (
            "RFC 3501 6.4.6: STORE -FLAGS.SILENT", "a STORE 2 -FLAGS.SILENT (\\Seen kw)",
            .store(
                IMAPSequenceSet([.init(2, 2)]),
                IMAPStoreChange(mode: .remove, isSilent: true, flags: ["\\Seen", "kw"]), uid: false)
        ),
        (
            "RFC 7162 3.1.3: STORE UNCHANGEDSINCE", "a UID STORE 2 (UNCHANGEDSINCE 5) FLAGS \\Seen",
            .store(
                IMAPSequenceSet([.init(2, 2)]),
                IMAPStoreChange(mode: .replace, isSilent: false, flags: ["\\Seen"], unchangedSince: 5), uid: true)
        ),
        (
            "RFC 6851: UID MOVE", "a UID MOVE 1:3 Archive",
            .move(IMAPSequenceSet([.init(1, 3)]), mailbox: "Archive", uid: true)
        ),
        ("RFC 4315: UID EXPUNGE", "a UID EXPUNGE 3", .uidExpunge(IMAPSequenceSet([.init(3, 3)]))),
        (
            "RFC 3501 6.4.4: SEARCH OR and NOT", "a SEARCH OR SEEN NOT FLAGGED",
            .search(.or(.flag("\\Seen", set: true), .not(.flag("\\Flagged", set: true))), uid: false)
        ),
        (
            "RFC 3501 6.4.4: SEARCH dates and sets", "a UID SEARCH SINCE 1-Feb-1994 2:4",
            .search(
                .and([.since(IMAPDay(year: 1994, month: 2, day: 1)), .sequence(IMAPSequenceSet([.init(2, 4)]))]),
                uid: true)
        ),
        (
            "RFC 5258: LIST with selection and return options", "a LIST (SUBSCRIBED) \"\" (\"*\" %) RETURN (CHILDREN)",
            .list(
                IMAPListCommand(
                    reference: "", patterns: ["*", "%"], selectOptions: ["SUBSCRIBED"], returnOptions: ["CHILDREN"]))
        ),
        ("RFC 2971: ID NIL", "a ID NIL", .id([:])),
        (
            "RFC 7162 3.2.5.2 example: SELECT with QRESYNC",
            "a SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))",
            .select(
                mailbox: "INBOX", readOnly: false, condstore: false,
                qresync: IMAPQResync(
                    uidValidity: 67_890_007, modSeq: 20_050_715_194_045_000,
                    knownUIDs: IMAPSequenceSet([.init(41, 41), .init(43, 211), .init(214, 541)])))
        ),
        (
            "RFC 7162 3.2.6: UID FETCH with CHANGEDSINCE and VANISHED",
            "a UID FETCH 1:* FLAGS (CHANGEDSINCE 5 VANISHED)",
            .fetch(IMAPSequenceSet([.init(1, nil)]), items: [.flags], changedSince: 5, uid: true, vanished: true)
        ),
        ("RFC 5161: ENABLE", "a ENABLE condstore", .enable(["CONDSTORE"])),
        ("RFC 9208: GETQUOTAROOT", "a GETQUOTAROOT INBOX", .getQuotaRoot("INBOX")),
    ]

    @Test(arguments: valid)
    func parsesValidCommands(_ row: (String, String, IMAPCommand.Kind)) {
        #expect(Self.parse(row.1) == .success(IMAPCommand(tag: "a", row.2)), "\(row.0)")
    }

    static let invalid: [(String, String, String?)] = [
        ("RFC 3501 9: a tag cannot hold +", "a+ NOOP", nil),
        ("RFC 3501 9: the tag needs a command", "a", "a"),
        ("RFC 3501 9: unknown command", "a FROB", "a"),
        ("RFC 3501 4.3: a literal shorter than announced", "a LOGIN ann {5}\r\npw", "a"),
        ("RFC 3501 9: sequence number 0", "a FETCH 0 FLAGS", "a"),
        ("RFC 3501 9: a number past 32 bits", "a FETCH 99999999999 FLAGS", "a"),
        ("RFC 3501 6.4.4: unbalanced parentheses", "a SEARCH (SEEN", "a"),
        ("RFC 3501 5.1.3: bad modified UTF-7", "a SELECT &Jjo", "a"),
        ("RFC 3501 9: APPEND without literal", "a APPEND INBOX \"x\"", "a"),
        ("RFC 3501 6.4.5: unterminated section", "a FETCH 1 BODY[HEADER", "a"),
    ]

    @Test(arguments: invalid)
    func refusesInvalidCommands(_ row: (String, String, String?)) {
        guard case .failure(let error) = Self.parse(row.1) else {
            Issue.record("\(row.0): parsed")
            return
        }
        #expect(error.tag == row.2, "\(row.0)")
    }

    @Test("Bounded: deep SEARCH nesting is refused, not a stack overflow")
    func deepNesting() {
        let text = "a SEARCH " + String(repeating: "NOT ", count: 10_000) + "ALL"
        guard case .failure(let error) = Self.parse(text) else {
            Issue.record("parsed")
            return
        }
        #expect(error.message == "search keys nested too deeply")
    }

    @Test(
        "RFC 3501 5.1.3: modified UTF-7 round trip",
        arguments: ["Café", "日本語", "a&b", "Sent Items", "~peter/mail/台北/日本語"])
    func modifiedUTF7(_ name: String) {
        #expect(ModifiedUTF7.decode(Array(ModifiedUTF7.encode(name).utf8)) == name)
    }

    @Test("RFC 3501 5.1.3 example: the encoding of a known name")
    func modifiedUTF7Example() {
        #expect(ModifiedUTF7.encode("~peter/mail/台北/日本語") == "~peter/mail/&U,BTFw-/&ZeVnLIqe-")
    }

    @Test(
        "RFC 3501 4.3: strings are quoted when exact, literals otherwise; parse(encode(x)) == x",
        arguments: ["plain", "with \"quotes\" and \\", "two\r\nlines", "8bit é", ""])
    func stringEncoding(_ value: String) {
        var writer = IMAPResponseWriter()
        writer.string(value)
        let encoded = Array(writer.buffer.readableBytesView)
        var scanner = IMAPScanner(encoded)
        #expect((try? scanner.string()) == Array(value.utf8))
        #expect(scanner.isAtEnd)
    }

    @Test("RFC 3501 9 date-time: APPEND dates parse and INTERNALDATE formats in UTC")
    func dates() throws {
        let parsed = try #require(IMAPDateFormat.parseDateTime("17-Jul-1996 02:44:25 -0700"))
        #expect(IMAPDateFormat.format(parsed.date) == "17-Jul-1996 09:44:25 +0000")
        #expect(IMAPDateFormat.parseDateTime(" 1-Feb-2026 00:00:00 +0000") != nil)
        #expect(IMAPDateFormat.parseDateTime("1-Feb-2026 00:00:00 +0000") == nil)
        #expect(IMAPDateFormat.parseDateTime("31-Foo-2026 00:00:00 +0000") == nil)
    }

    @Test(
        "RFC 3501 6.3.8: LIST wildcards",
        arguments: [
            ("INBOX", "inbox", true), ("INBOX/a", "INBOX/%", true), ("a/b/c", "a/%", false), ("a/b/c", "a/*", true),
            ("Sent Items", "%", true), ("Sent Items", "S*s", true), ("x", "y", false), ("a/b", "%/%", true),
            ("a", "", false),
        ])
    func listWildcards(_ row: (String, String, Bool)) {
        #expect(FolderDirectory.matches(row.0, pattern: row.1) == row.2, "\(row.0) vs \(row.1)")
    }
}

/// Lines and literals into commands (RFC 3501 4.3, RFC 7888).
@Suite("IMAP command assembler")
struct IMAPCommandAssemblerTests {
    @Test("RFC 3501 7.5: a synchronising literal asks for a continuation, then completes the command")
    func synchronisingLiteral() {
        var assembler = IMAPCommandAssembler(maximumLiteralSize: 100, maximumCommandSize: 1000)
        #expect(assembler.line(Array("a LOGIN {3}".utf8)) == .continuation)
        #expect(assembler.literal(Array("ann".utf8)) == .needMore)
        #expect(assembler.line(Array(" pw".utf8)) == .command(Array("a LOGIN {3}\r\nann pw".utf8)))
    }

    @Test("RFC 7888 4: a non-synchronising literal gets no continuation")
    func nonSynchronisingLiteral() {
        var assembler = IMAPCommandAssembler(maximumLiteralSize: 100, maximumCommandSize: 1000)
        #expect(assembler.line(Array("a LOGIN {3+}".utf8)) == .needMore)
        #expect(assembler.literal(Array("ann".utf8)) == .needMore)
        #expect(assembler.line(Array(" pw".utf8)) == .command(Array("a LOGIN {3+}\r\nann pw".utf8)))
    }

    @Test("RFC 7888 4: too large literals are refused; the framer is told to discard or not to read")
    func tooLarge() {
        #expect(IMAPCommandAssembler.literalDecision(Array("a APPEND x {101}".utf8), maximum: 100) == .none)
        #expect(IMAPCommandAssembler.literalDecision(Array("a APPEND x {101+}".utf8), maximum: 100) == .discard(101))
        #expect(IMAPCommandAssembler.literalDecision(Array("a APPEND x {100}".utf8), maximum: 100) == .accept(100))
        #expect(IMAPCommandAssembler.literalDecision(Array("a NOOP".utf8), maximum: 100) == .none)
        var assembler = IMAPCommandAssembler(maximumLiteralSize: 100, maximumCommandSize: 1000)
        #expect(
            assembler.line(Array("a APPEND x {101}".utf8))
                == .failed(IMAPParseError(tag: "a", "[TOOBIG] literal too large")))
        #expect(assembler.line(Array("b NOOP".utf8)) == .command(Array("b NOOP".utf8)))
    }

    @Test("The fuzz entry point survives arbitrary bytes")
    func fuzzSmoke() {
        let samples = ["", "{", "a {99999999999999999999}", "a SEARCH (((((", "* FETCH 1:* BODY[", "a LOGIN {1}\n"]
        for sample in samples {
            Array(sample.utf8).withUnsafeBytes { IMAPCommandParser.fuzz($0) }
        }
    }
}
