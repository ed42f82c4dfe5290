import SMTPServer
import Testing

/// Table-driven RFC tests for the command parser, the path parser and the reply encoder.
@Suite("SMTP command parser")
struct SMTPCommandParserTests {
    static let valid: [(String, String, SMTPCommand)] = [
        ("RFC 5321 4.1.1.1: EHLO with a domain", "EHLO client.test", .ehlo("client.test")),
        ("RFC 5321 2.4: verbs are case-insensitive", "ehlo client.test", .ehlo("client.test")),
        ("RFC 5321 4.1.3: EHLO with an address literal", "EHLO [192.0.2.1]", .ehlo("[192.0.2.1]")),
        ("RFC 5321 4.1.1.1: HELO", "HELO client.test", .helo("client.test")),
        (
            "RFC 5321 4.1.1.2: MAIL FROM", "MAIL FROM:<a@b.test>",
            .mail(from: SMTPMailbox(localPart: "a", domain: "b.test"), parameters: .init())
        ),
        ("RFC 5321 4.5.5: the null reverse-path", "MAIL FROM:<>", .mail(from: nil, parameters: .init())),
        (
            "Quirk: a space after the colon", "MAIL FROM: <a@b.test>",
            .mail(from: SMTPMailbox(localPart: "a", domain: "b.test"), parameters: .init())
        ),
        (
            "Quirk: no angle brackets", "mail from:a@b.test",
            .mail(from: SMTPMailbox(localPart: "a", domain: "b.test"), parameters: .init())
        ),
        (
            "RFC 1870, RFC 6152, RFC 6531: SIZE, BODY, SMTPUTF8", "MAIL FROM:<a@b.test> size=42 BODY=8bitmime SMTPUTF8",
            .mail(
                from: SMTPMailbox(localPart: "a", domain: "b.test"),
                parameters: .init(size: 42, body: .eightBitMIME, smtpUTF8: true))
        ),
        (
            "RFC 5321 4.1.2: a source route is accepted and dropped",
            "RCPT TO:<@relay.test,@other.test:ann@example.test>",
            .rcpt(to: SMTPMailbox(localPart: "ann", domain: "example.test"), parameters: [:])
        ),
        (
            "RFC 5321 4.1.2: a quoted local part may hold > and @", "RCPT TO:<\"a>b@c\"@example.test>",
            .rcpt(to: SMTPMailbox(localPart: "\"a>b@c\"", domain: "example.test"), parameters: [:])
        ),
        (
            "RFC 6531 3.3: UTF-8 in local part and domain", "RCPT TO:<j\u{F6}rg@b\u{FC}cher.test>",
            .rcpt(to: SMTPMailbox(localPart: "j\u{F6}rg", domain: "b\u{FC}cher.test"), parameters: [:])
        ),
        ("RFC 5321 4.1.1.4: DATA", "DATA", .data),
        ("RFC 3030 2: BDAT", "BDAT 1000", .bdat(size: 1000, last: false)),
        ("RFC 3030 2: BDAT LAST, case-insensitive", "bdat 0 last", .bdat(size: 0, last: true)),
        ("RFC 5321 4.1.1.9: NOOP ignores its argument", "NOOP anything", .noop),
        ("RFC 5321 4.1.1.6: VRFY", "VRFY ann", .vrfy("ann")),
        ("RFC 5321 4.1.1.8: HELP with a topic", "HELP MAIL", .help("MAIL")),
        ("RFC 3207 4: STARTTLS", "STARTTLS", .startTLS),
        ("Not offered: AUTH on the MX port", "AUTH PLAIN", .notImplemented("AUTH")),
    ]

    @Test(arguments: valid)
    func parses(_ row: (name: String, line: String, expected: SMTPCommand)) {
        let parsed = SMTPCommandParser.parse(Array(row.line.utf8))
        #expect(parsed == .success(row.expected), "\(row.name)")
    }

    static let invalid: [(String, String, SMTPCommandError)] = [
        ("RFC 5321 4.1.1.1: EHLO needs an argument", "EHLO", .syntax("EHLO needs a domain or address literal")),
        ("An unknown verb", "XYZZY", .unrecognized),
        ("A control character", "NOOP \u{0}", .invalidCharacters),
        ("RFC 5321 4.1.2: an address without a domain", "MAIL FROM:<alice>", .badSender),
        ("An unclosed path", "MAIL FROM:<a@b.test", .badSender),
        ("A double dot in the local part", "RCPT TO:<a..b@c.test>", .badRecipient),
        ("A domain label starting with a hyphen", "RCPT TO:<a@-b.test>", .badRecipient),
        ("RFC 5321 4.5.5: no null forward-path", "RCPT TO:<>", .badRecipient),
        ("MAIL without FROM:", "MAIL <a@b.test>", .syntax("use MAIL FROM:<address>")),
        ("RFC 1870: SIZE must be digits", "MAIL FROM:<a@b.test> SIZE=12x", .unsupportedParameter("SIZE")),
        (
            "RFC 6152: BODY=BINARYMIME is not offered", "MAIL FROM:<a@b.test> BODY=BINARYMIME",
            .unsupportedParameter("BODY")
        ),
        ("RCPT parameters are not offered", "RCPT TO:<a@b.test> ORCPT=rfc822;a@b.test", .unsupportedParameter("ORCPT")),
        (
            "RFC 5321 4.5.3.1.1: a local part over 64 octets", "RCPT TO:<\(String(repeating: "a", count: 65))@b.test>",
            .pathTooLong
        ),
        (
            "RFC 5321 4.5.3.1.3: a path over 256 octets", "MAIL FROM:<a@\(String(repeating: "b.", count: 130))test>",
            .pathTooLong
        ),
        ("QUIT takes no argument", "QUIT now", .syntax("QUIT takes no argument")),
        ("RFC 3030 2: BDAT needs a size", "BDAT LAST", .syntax("use BDAT <size> [LAST]")),
        ("RFC 3030 2: only LAST may follow the size", "BDAT 10 NOW", .syntax("use BDAT <size> [LAST]")),
        ("A chunk size past 18 digits", "BDAT 1234567890123456789", .syntax("use BDAT <size> [LAST]")),
    ]

    @Test("RFC 3030 2: a BDAT line's octets are taken off the wire whether or not the command is valid")
    func announcedChunkSize() {
        let sizes = [
            "BDAT 10", "bdat  10 LAST", "BDAT 10 NOW", "BDAT 10x", "BDAT LAST", "BDATX 10", "NOOP", "BDAT\t10",
        ]
        .map { SMTPCommandParser.announcedChunkSize(Array($0.utf8)) }
        #expect(sizes == [10, 10, 10, 10, nil, nil, nil, nil])
    }

    @Test(arguments: invalid)
    func refuses(_ row: (name: String, line: String, expected: SMTPCommandError)) {
        #expect(SMTPCommandParser.parse(Array(row.line.utf8)) == .failure(row.expected), "\(row.name)")
    }

    @Test("STYLE 3: parse(encode(command)) == command")
    func roundTrip() {
        for (_, _, command) in Self.valid {
            let encoded = SMTPCommandEncoder.encode(command)
            #expect(SMTPCommandParser.parse(Array(encoded.utf8)) == .success(command), "\(encoded)")
        }
    }

    @Test("Invalid UTF-8 in a path is refused, not trapped on")
    func invalidUTF8() {
        let line = Array("MAIL FROM:<a".utf8) + [0xFF, 0xFE] + Array("@b.test>".utf8)
        #expect(SMTPCommandParser.parse(line) == .failure(.badSender))
    }

    @Test("The fuzz entry survives hostile input")
    func fuzzEntry() {
        let inputs: [[UInt8]] = [
            [], [0xFF], Array("MAIL FROM:<\"\\".utf8), Array("RCPT TO:<@:>\r\n.\r\n..\n\r".utf8),
            Array(repeating: UInt8(ascii: "<"), count: 5000),
        ]
        for input in inputs { input.withUnsafeBytes { SMTPCommandParser.fuzz($0) } }
    }

    static let replies: [SMTPReply] = [
        SMTPReply(250, "2.1.0", "Sender OK"),
        SMTPReply(220, nil, "mx.example.test ESMTP Mailgate ready"),
        SMTPReply(250, nil, ["mx Hello c", "PIPELINING", "SIZE 10"]),
        SMTPReply(550, "5.7.23", ["SPF MAIL FROM check failed (Fail)", "explanation"]),
        SMTPReply(354, nil, "Start mail input; end with <CRLF>.<CRLF>"),
    ]

    @Test("RFC 5321 4.2.1: replies encode as code-text lines and parse back", arguments: replies)
    func replyRoundTrip(_ reply: SMTPReply) {
        #expect(SMTPReply.parse(reply.encoded) == reply)
    }

    @Test("RFC 5321 4.2.1: a multi-line reply uses '-' on all but the last line")
    func multiline() {
        #expect(SMTPReply(250, nil, ["a", "b", "c"]).encoded == "250-a\r\n250-b\r\n250 c\r\n")
        #expect(SMTPReply(550, "5.1.1", "No such user here").encoded == "550 5.1.1 No such user here\r\n")
    }
}
