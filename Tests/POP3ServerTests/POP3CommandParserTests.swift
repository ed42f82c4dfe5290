import MailgateCore
import Testing

@testable import POP3Server

@Suite("POP3 command parser")
struct POP3CommandParserTests {
    static let valid: [(String, String, POP3Command)] = [
        ("RFC 1939 7: USER", "USER ann@example.test", .user("ann@example.test")),
        ("RFC 1939 3: keywords are case-insensitive", "user ann", .user("ann")),
        ("RFC 1939 7: PASS keeps spaces in the password", "PASS  two words ", .pass(Secret(" two words "))),
        ("RFC 1939 5: STAT", "STAT", .stat),
        ("RFC 1939 5: LIST without argument", "LIST", .list(nil)),
        ("RFC 1939 5: LIST with a message number", "LIST 2", .list(2)),
        ("RFC 1939 5: arguments separated by several spaces", "LIST   3", .list(3)),
        ("RFC 1939 5: RETR", "RETR 1", .retr(1)),
        ("RFC 1939 5: DELE", "dele 12", .dele(12)),
        ("RFC 1939 5: NOOP", "NOOP", .noop),
        ("RFC 1939 5: RSET", "RSET", .rset),
        ("RFC 1939 6: QUIT", "QUIT", .quit),
        ("RFC 1939 7: TOP", "TOP 1 0", .top(1, lines: 0)),
        ("RFC 1939 7: UIDL", "UIDL", .uidl(nil)),
        ("RFC 1939 7: UIDL n", "UIDL 7", .uidl(7)),
        ("RFC 2449 5: CAPA", "CAPA", .capa),
        ("RFC 2595 4: STLS", "STLS", .stls),
        ("RFC 5034 4: AUTH PLAIN", "AUTH PLAIN", .auth(mechanism: "PLAIN", initialResponse: nil)),
        ("RFC 5034 4: initial response", "AUTH plain AGFubgBw", .auth(mechanism: "PLAIN", initialResponse: "AGFubgBw")),
        ("RFC 1734: AUTH alone lists mechanisms", "AUTH", .auth(mechanism: nil, initialResponse: nil)),
        ("Trailing space is tolerated", "STAT ", .stat),
    ]

    @Test(arguments: valid)
    func parses(_ name: String, _ line: String, _ expected: POP3Command) {
        #expect(POP3CommandParser.parse(Array(line.utf8)) == .success(expected), "\(name)")
        #expect(POP3CommandParser.parse(Array(expected.encoded.utf8)) == .success(expected), "round trip: \(name)")
    }

    static let invalid: [(String, [UInt8], POP3CommandError)] = [
        ("empty line", [], .empty),
        ("leading space", Array(" STAT".utf8), .empty),
        ("RFC 1939 no APOP: stored passwords are hashed", Array("APOP ann 0123".utf8), .unknownCommand("APOP")),
        ("long keyword", Array("STATISTICS".utf8), .unknownCommand("")),
        ("digits in keyword", Array("ST4T".utf8), .unknownCommand("")),
        ("NUL", Array("STAT\u{0}".utf8), .invalidCharacters),
        ("bare CR inside", Array("RETR 1\r".utf8), .invalidCharacters),
        ("invalid UTF-8 after keyword", [0x55, 0x53, 0x45, 0x52, 0x20, 0xFF], .invalidCharacters),
        ("RETR without a number", Array("RETR".utf8), .missingArgument("RETR")),
        ("RETR with two numbers", Array("RETR 1 2".utf8), .tooManyArguments("RETR")),
        ("negative number", Array("RETR -1".utf8), .invalidNumber("RETR")),
        ("number with a sign", Array("LIST +1".utf8), .invalidNumber("LIST")),
        (
            "number too large is refused, not overflowed", Array("RETR 99999999999999999999".utf8),
            .invalidNumber("RETR")
        ),
        ("TOP needs two numbers", Array("TOP 1".utf8), .missingArgument("TOP")),
        ("TOP with a bad line count", Array("TOP 1 x".utf8), .invalidNumber("TOP")),
        ("STAT takes no argument", Array("STAT 1".utf8), .tooManyArguments("STAT")),
        ("USER without a name", Array("USER".utf8), .missingArgument("USER")),
        ("USER with two names", Array("USER a b".utf8), .tooManyArguments("USER")),
        ("PASS without a password", Array("PASS".utf8), .missingArgument("PASS")),
        (
            "RFC 1939 3: arguments up to 40 characters", Array(("NOOP " + String(repeating: "9", count: 41)).utf8),
            .argumentTooLong("NOOP")
        ),
        ("AUTH with three arguments", Array("AUTH PLAIN a b".utf8), .tooManyArguments("AUTH")),
    ]

    @Test(arguments: invalid)
    func refuses(_ name: String, _ line: [UInt8], _ expected: POP3CommandError) {
        #expect(POP3CommandParser.parse(line) == .failure(expected), "\(name)")
    }

    @Test("Passwords never print")
    func passwordRedacted() {
        let parsed = POP3CommandParser.parse(Array("PASS hunter2".utf8))
        #expect(!"\(parsed)".contains("hunter2"))
    }

    @Test("RFC 4616: PLAIN responses decode; a foreign authorisation identity is refused")
    func saslPlain() throws {
        let decoded = try #require(SASLPlain.decode(SASLPlain.encode(login: "ann@example.test", password: "p w")))
        #expect(decoded.login == "ann@example.test")
        #expect(decoded.password.exposedValue == "p w")
        #expect(SASLPlain.decode(SASLPlain.encode(login: "ann", password: "x", as: "ann")) != nil)
        #expect(SASLPlain.decode(SASLPlain.encode(login: "ann", password: "x", as: "bob")) == nil)
        #expect(SASLPlain.decode(SASLPlain.encode(login: "", password: "x")) == nil)
        #expect(SASLPlain.decode(SASLPlain.encode(login: "ann", password: "")) == nil)
        #expect(SASLPlain.decode("not base64!") == nil)
        #expect(SASLPlain.decode("") == nil)
    }

    @Test("The fuzz entry point survives hostile input")
    func fuzzEntry() {
        for input in ["", "USER \u{0}", "TOP 1 2 3", "AUTH PLAIN =", String(repeating: "LIST ", count: 300)] {
            Array(input.utf8).withUnsafeBytes { POP3CommandParser.fuzz($0) }
        }
    }
}
