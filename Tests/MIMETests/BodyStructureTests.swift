import MIME
import Testing

@Suite("RFC 3501 7.4.2 BODY and BODYSTRUCTURE")
struct BodyStructureTests {
    @Test("RFC 3501 7.4.2: a text/plain message has size and line count")
    func simpleText() {
        let parsed = message(rfc3501Example)
        #expect(
            text(parsed.bodyStructure(extensible: false))
                == #"("text" "plain" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 55 1)"#)
        #expect(
            text(parsed.bodyStructure(extensible: true))
                == #"("text" "plain" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 55 1 NIL NIL NIL NIL)"#)
    }

    @Test("RFC 2045 5.2: without Content-Type the parameters are (\"charset\" \"us-ascii\")")
    func defaultType() {
        #expect(
            text(message("Subject: x\n\nhello\n").bodyStructure(extensible: false))
                == #"("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 7 1)"#)
    }

    @Test("RFC 3501 7.4.2: multipart, message/rfc822 and extension data, nested")
    func nested() {
        let plain = #"("text" "plain" ("charset" "utf-8") NIL NIL "7BIT" 10 1 NIL NIL NIL NIL)"#
        let html = #"("text" "html" NIL NIL NIL "7BIT" 11 1 NIL NIL NIL NIL)"#
        let alternative = "(\(plain)\(html) \"alternative\" (\"boundary\" \"inner\") NIL NIL NIL)"
        let innerAddress = #"((NIL NIL "b" "example.test"))"#
        let envelope = "(NIL \"inner\" \(innerAddress) \(innerAddress) \(innerAddress) NIL NIL NIL NIL NIL)"
        let innerBody = #"("text" "plain" NIL NIL NIL "7BIT" 18 2 NIL NIL NIL NIL)"#
        let rfc822 = "(\"message\" \"rfc822\" NIL NIL NIL \"7BIT\" 84 \(envelope) \(innerBody) 6 NIL NIL NIL NIL)"
        let attachment =
            #"("application" "octet-stream" ("name" "x.bin") NIL NIL "BASE64" 4 NIL "#
            + #"("attachment" ("filename*0*" "utf-8''%C3%A9t%C3%A9" "filename*1" ".bin")) NIL NIL)"#
        let expected = "(\(alternative)\(rfc822)\(attachment) \"mixed\" (\"boundary\" \"outer\") NIL NIL NIL)"
        #expect(text(message(nestedExample).bodyStructure(extensible: true)) == expected)
    }

    @Test("RFC 3501 7.4.2: BODY omits extension data at every level")
    func nonExtensible() {
        let structure = text(message(nestedExample).bodyStructure(extensible: false))
        #expect(structure.hasSuffix(#""BASE64" 4) "mixed")"#))
        #expect(structure.contains(#"("text" "plain" ("charset" "utf-8") NIL NIL "7BIT" 10 1)"#))
    }

    @Test("RFC 3501 7.4.2: id, description, md5, disposition, languages and location")
    func allFields() {
        let parsed = message(
            """
            Content-Type: text/plain
            Content-ID: <part@x.test>
            Content-Description: a "quoted" note
            Content-Transfer-Encoding: Quoted-Printable
            Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==
            Content-Disposition: inline
            Content-Language: en, de
            Content-Location: http://x.test/a

            x
            """)
        #expect(
            text(parsed.bodyStructure(extensible: true))
                == #"("text" "plain" NIL "<part@x.test>" "a \"quoted\" note" "QUOTED-PRINTABLE" 1 1 "#
                + #""Q2hlY2sgSW50ZWdyaXR5IQ==" ("inline" NIL) ("en" "de") "http://x.test/a")"#)
    }

    @Test("RFC 9051 7.5.2: message/global has an envelope in IMAP4rev2 and is a basic part in IMAP4rev1")
    func messageGlobal() {
        let parsed = message("Content-Type: message/global\n\nSubject: x\n\nbody\n")
        #expect(
            text(parsed.bodyStructure(extensible: false, revision: .rev1))
                == #"("message" "global" NIL NIL NIL "7BIT" 20)"#)
        #expect(
            text(parsed.bodyStructure(extensible: false, revision: .rev2))
                == #"("message" "global" NIL NIL NIL "7BIT" 20 (NIL "x" NIL NIL NIL NIL NIL NIL NIL NIL) "#
                + #"("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 6 1) 3)"#)
    }

    @Test("RFC 3501 4.3: 8-bit parameter values are literals in IMAP4rev1")
    func eightBitParameter() {
        let parsed = message("Content-Type: application/pdf; name=\"é.pdf\"\n\nx")
        #expect(
            text(parsed.bodyStructure(extensible: false))
                == "(\"application\" \"pdf\" (\"name\" {6}\r\né.pdf) NIL NIL \"7BIT\" 1)")
    }
}
