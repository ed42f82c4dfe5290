import MIME
import Testing

@Suite("RFC 3501 6.4.5 BODY[section]<partial> and RFC 3516 BINARY")
struct SectionTests {
    @Test(
        "Sections of a nested message, byte-exact",
        arguments: [
            ("RFC 3501 6.4.5: part 1.1 is the first part of the nested multipart", "1.1", "plain body"),
            ("RFC 3501 6.4.5: part 1.2", "1.2", "<p>html</p>"),
            (
                "RFC 3501 6.4.5: a multipart's own section is its body, delimiters included", "1",
                "--inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain body\r\n--inner\r\n"
                    + "Content-Type: text/html\r\n\r\n<p>html</p>\r\n--inner--"
            ),
            (
                "RFC 3501 6.4.5: a message/rfc822 part's section is the whole encapsulated message", "2",
                "From: b@example.test\r\nSubject: inner\r\nContent-Type: text/plain\r\n\r\ninner body\r\nline 2"
            ),
            (
                "RFC 3501 6.4.5: HEADER of a message/rfc822 part is the encapsulated header with its blank line",
                "2.HEADER", "From: b@example.test\r\nSubject: inner\r\nContent-Type: text/plain\r\n\r\n"
            ),
            ("RFC 3501 6.4.5: TEXT of a message/rfc822 part", "2.TEXT", "inner body\r\nline 2"),
            ("RFC 3501 6.4.5: the encapsulated non-multipart message has part 1", "2.1", "inner body\r\nline 2"),
            ("RFC 3501 6.4.5: MIME is the part's own MIME header", "2.MIME", "Content-Type: message/rfc822\r\n\r\n"),
            (
                "RFC 3501 6.4.5: HEADER.FIELDS of an encapsulated message", "2.HEADER.FIELDS (subject)",
                "Subject: inner\r\n\r\n"
            ),
            ("RFC 3501 6.4.5: HEADER needs a message/rfc822 part", "1.1.HEADER", ""),
            ("A part that does not exist is empty", "4", ""),
            ("A part below a leaf does not exist", "3.1", ""),
            ("A number past the nested parts does not exist", "1.3", ""),
            (
                "RFC 3501 6.4.5: HEADER.FIELDS.NOT keeps the other fields in order",
                "HEADER.FIELDS.NOT (Content-Type MIME-Version)", "From: a@example.test\r\nSubject: nested\r\n\r\n"
            ),
        ])
    func nestedSections(_ name: String, _ spec: String, _ expected: String) throws {
        #expect(try message(nestedExample).section(spec) == expected, "\(name)")
    }

    @Test("RFC 3501 6.4.5: the parts of a message/rfc822 part are those of the message it encapsulates")
    func encapsulatedMultipart() throws {
        let parsed = message(
            "Content-Type: multipart/mixed; boundary=o\n\n--o\n\nfirst\n--o\nContent-Type: message/rfc822\n\n"
                + "Subject: in\nContent-Type: multipart/alternative; boundary=i\n\n--i\n\nA\n--i\n\nB\n--i--\n--o--\n")
        #expect(try parsed.section("2.1") == "A")
        #expect(try parsed.section("2.2") == "B")
        #expect(try parsed.section("2.2.MIME") == "\r\n")
        #expect(try parsed.section("2.HEADER.FIELDS (Subject)") == "Subject: in\r\n\r\n")
        #expect(try parsed.section("2.3") == "")
    }

    @Test("RFC 3501 6.4.5: a top-level message/rfc822 has part 1 (itself) and 1.1 (the inner body)")
    func topLevelMessage() throws {
        let parsed = message("Content-Type: message/rfc822\n\nSubject: in\n\ninner\n")
        #expect(try parsed.section("1") == "Subject: in\r\n\r\ninner\r\n")
        #expect(try parsed.section("1.1") == "inner\r\n")
        #expect(try parsed.section("1.HEADER") == "Subject: in\r\n\r\n")
    }

    @Test("RFC 3501 6.4.5: HEADER.FIELDS matches names case-insensitively, keeps folding and order")
    func headerFields() throws {
        let parsed = message("Subject: a\n b\nX-A: 1\nfrom: f@x.test\nSUBJECT: second\n\nbody\n")
        #expect(
            try parsed.section("HEADER.FIELDS (FROM Subject)")
                == "Subject: a\r\n b\r\nfrom: f@x.test\r\nSUBJECT: second\r\n\r\n")
        #expect(try parsed.section("HEADER.FIELDS (X-None)") == "\r\n")
    }

    @Test("RFC 3501 6.4.5: the whole message, HEADER and TEXT are exact slices")
    func topLevel() throws {
        let parsed = message(rfc3501Example)
        #expect(try parsed.section("") == text(crlf(rfc3501Example)))
        #expect(try parsed.section("TEXT") == "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n")
        #expect(try parsed.section("HEADER").hasSuffix("CHARSET=US-ASCII\r\n\r\n"))
        #expect(try parsed.section("1") == "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n")
        #expect(try parsed.section("1.MIME") == parsed.section("HEADER"))
    }

    @Test("RFC 3501 6.4.5: a partial is cut at the end; an origin past the end is empty")
    func partials() throws {
        let parsed = message(rfc3501Example)
        #expect(try parsed.section("", partial: MIMEPartial(origin: 0, length: 4)) == "Date")
        #expect(try parsed.section("TEXT", partial: MIMEPartial(origin: 50, length: 100)) == "ow?\r\n")
        #expect(try parsed.section("TEXT", partial: MIMEPartial(origin: 10_000, length: 5)) == "")
        #expect(try parsed.section("TEXT", partial: MIMEPartial(origin: 1, length: Int.max)).utf8.count == 54)
    }

    @Test("RFC 3516 4.2: BINARY removes base64 and quoted-printable; BINARY.SIZE is the decoded size")
    func binary() throws {
        let parsed = message(nestedExample)
        #expect(try parsed.binary([3]) == [0, 1, 2])
        #expect(try parsed.binarySize([3]) == 3)
        #expect(try parsed.binary([3], partial: MIMEPartial(origin: 1, length: 1)) == [1])
        let qp = message("Content-Transfer-Encoding: quoted-printable\n\ncaf=C3=A9=\n ok  \n=3D=zz\n")
        #expect(try text(qp.binary([1])) == "café ok\r\n==zz\r\n")
    }

    @Test("RFC 3516 4.2: an unknown transfer encoding is UNKNOWN-CTE; a missing part is its own error")
    func binaryErrors() {
        let parsed = message("Content-Transfer-Encoding: x-uuencode\n\nbegin 644 x\n")
        #expect(throws: MIMEBinaryError.unknownTransferEncoding("x-uuencode")) { try parsed.binary([1]) }
        #expect(throws: MIMEBinaryError.noSuchPart) { try parsed.binary([2]) }
    }

    @Test(
        "RFC 3501 9 section-spec parses into a typed value",
        arguments: [
            ("", MIMESectionSpec()),
            ("HEADER", MIMESectionSpec(text: .header)),
            ("text", MIMESectionSpec(text: .text)),
            ("1.2.3", MIMESectionSpec(part: [1, 2, 3])),
            ("1.MIME", MIMESectionSpec(part: [1], text: .mime)),
            (
                "1.2.HEADER.FIELDS (SUBJECT FROM)",
                MIMESectionSpec(part: [1, 2], text: .headerFields(["SUBJECT", "FROM"]))
            ),
            ("header.fields.not (To \"X y\")", MIMESectionSpec(text: .headerFieldsNot(["To", "X y"]))),
        ])
    func sectionSpecs(_ source: String, _ expected: MIMESectionSpec) throws {
        #expect(try MIMESectionSpec(parsing: source) == expected)
    }

    @Test(
        "RFC 3501 9: malformed section-specs are refused",
        arguments: [
            "MIME", "0", "1.", "1..2", "HEADER.FIELDS", "HEADER.FIELDS ()", "HEADER.FIELDS (A", "BODY",
            "1234567890", "1.TEXT.1", "HEADER.FIELDS (a(b)",
        ])
    func badSectionSpecs(_ source: String) {
        #expect(throws: MIMESectionSpecError.self) { try MIMESectionSpec(parsing: source) }
    }
}

@Suite("Section-spec text and part text")
struct SectionTextTests {
    @Test(
        "RFC 3501 7.4.2: the section echoes in RFC 3501 9 syntax and parses back to itself",
        arguments: [
            (MIMESectionSpec(), ""),
            (MIMESectionSpec(part: [1, 2], text: .mime), "1.2.MIME"),
            (MIMESectionSpec(text: .header), "HEADER"),
            (MIMESectionSpec(part: [3], text: .text), "3.TEXT"),
            (MIMESectionSpec(part: [1], text: .headerFields(["SUBJECT", "FROM"])), "1.HEADER.FIELDS (SUBJECT FROM)"),
            (MIMESectionSpec(text: .headerFieldsNot(["X y", "a\"b"])), #"HEADER.FIELDS.NOT ("X y" "a\"b")"#),
        ])
    func roundTrip(_ spec: MIMESectionSpec, _ written: String) throws {
        #expect(spec.description == written)
        #expect(try MIMESectionSpec(parsing: written) == spec)
    }

    @Test("RFC 2046 4.1.2: a text part decodes its transfer encoding and charset")
    func partText() {
        let parsed = message(
            "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nJ=F6rg\n")
        #expect(parsed.decodedText(of: parsed.root) == "Jörg\r\n")
        #expect(message(nestedExample).decodedText(of: message(nestedExample).root) == nil)
    }
}
