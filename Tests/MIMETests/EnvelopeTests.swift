import MIME
import Testing

@Suite("RFC 3501 7.4.2 ENVELOPE")
struct EnvelopeTests {
    static let fred = #"(("Fred Foobar" NIL "foobar" "Blurdybloop.COM"))"#

    @Test(
        "ENVELOPE rows",
        arguments: [
            (
                "RFC 3501 7.4.2: the section 6.4.5 example; sender and reply-to default to from",
                rfc3501Example,
                #"("Mon, 7 Feb 1994 21:52:25 -0800 (PST)" "afternoon meeting" \#(fred) \#(fred) \#(fred) "#
                    + #"((NIL NIL "mooch" "owatagu.siam.edu")) NIL NIL NIL "<B27397-0100000@Blurdybloop.COM>")"#
            ),
            (
                "RFC 3501 7.4.2: every field absent is NIL",
                "\nbody only\n",
                "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"
            ),
            (
                "RFC 3501 7.4.2: groups are bracketed by (NIL NIL name NIL) and (NIL NIL NIL NIL)",
                "From: a@x.test\nTo: Team: a@x.test, \"B, b\" <b@y.test>;, c@z.test\nCc: undisclosed-recipients:;\n\n",
                #"(NIL NIL ((NIL NIL "a" "x.test")) ((NIL NIL "a" "x.test")) ((NIL NIL "a" "x.test")) "#
                    + #"((NIL NIL "Team" NIL)(NIL NIL "a" "x.test")("B, b" NIL "b" "y.test")(NIL NIL NIL NIL)"#
                    + #"(NIL NIL "c" "z.test")) ((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) NIL NIL NIL)"#
            ),
            (
                "RFC 5322 4.4: a source route is the adl; a comment stands in for a missing display name",
                "From: <@relay.test,@b.test:joe@example.test>\nSender: joe@example.test (Joe Bloggs)\n\n",
                #"(NIL NIL ((NIL "@relay.test,@b.test" "joe" "example.test")) (("Joe Bloggs" NIL "joe" "example.test")) "#
                    + #"((NIL "@relay.test,@b.test" "joe" "example.test")) NIL NIL NIL NIL NIL)"#
            ),
            (
                "RFC 3501 4.3: quotes and backslashes are escaped; encoded words stay encoded",
                "Subject: say \"hi\" \\ =?utf-8?q?caf=C3=A9?=\nReply-To: \"Ann \\\"A\\\" Lee\" <ann@x.test>\n"
                    + "In-Reply-To: <1@x.test>\n\n",
                #"(NIL "say \"hi\" \\ =?utf-8?q?caf=C3=A9?=" NIL NIL (("Ann \"A\" Lee" NIL "ann" "x.test")) "#
                    + #"NIL NIL NIL "<1@x.test>" NIL)"#
            ),
            (
                "RFC 3501 7.4.2: folded fields are unfolded; a mailbox without a domain has an empty host",
                "Subject: one\n two\nTo: root\nBcc: \"quoted local\"@x.test\n\n",
                #"(NIL "one two" NIL NIL NIL ((NIL NIL "root" "")) NIL ((NIL NIL "\"quoted local\"" "x.test")) NIL NIL)"#
            ),
        ])
    func envelope(_ name: String, _ source: String, _ expected: String) {
        #expect(text(message(source).envelope()) == expected, "\(name)")
        #expect(text(MIMEMessage.envelope(headerOf: crlf(source))) == expected, "\(name), header only")
    }

    @Test("RFC 3501 4.3: 8-bit header text is a literal in IMAP4rev1 and a quoted UTF-8 string in IMAP4rev2")
    func eightBitSubject() {
        let parsed = message("Subject: Grüße\n\n")
        #expect(text(parsed.envelope(.rev1)) == "(NIL {7}\r\nGrüße NIL NIL NIL NIL NIL NIL NIL NIL)")
        #expect(text(parsed.envelope(.rev2)) == "(NIL \"Grüße\" NIL NIL NIL NIL NIL NIL NIL NIL)")
    }

    @Test("RFC 9051 4.3: invalid UTF-8 is a literal even in IMAP4rev2")
    func invalidUTF8Subject() {
        let parsed = MIMEMessage(Array("Subject: ".utf8) + [0xE9, 0x74, 0xE9] + Array("\r\n\r\n".utf8))
        #expect(
            parsed.envelope(.rev2) == Array("(NIL {3}\r\n".utf8) + [0xE9, 0x74, 0xE9]
                + Array(" NIL NIL NIL NIL NIL NIL NIL NIL)".utf8))
    }

    @Test("RFC 5322 3.4: display names decode RFC 2047 words for display")
    func decodedNames() {
        let addresses = MIMEAddressParser.parse(
            Array("=?utf-8?q?J=C3=B6rg?= M <j@x.test>, \"Doe, J.\" <d@x.test>".utf8))
        #expect(addresses.map(\.decodedName) == ["Jörg M", "Doe, J."])
        #expect(addresses.map(\.addressSpec) == ["j@x.test", "d@x.test"])
    }

    @Test("RFC 5322 4.4: obsolete forms: empty list members and J. Smith phrases")
    func obsoleteAddressForms() {
        let addresses = MIMEAddressParser.parse(Array(",, J. Smith <js@x.test> ,".utf8))
        #expect(addresses.count == 1)
        #expect(addresses.first?.decodedName == "J. Smith")
    }
}
