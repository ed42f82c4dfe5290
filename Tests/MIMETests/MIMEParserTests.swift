import MIME
import Testing

@Suite("MIME parser: structure and byte ranges")
struct MIMEParserTests {
    @Test("RFC 2046 5.1.1: nested multiparts, message/rfc822 and an attachment form the tree")
    func nestedTree() {
        let parsed = message(nestedExample)
        let root = parsed.root
        #expect(root.contentType.mimeType == "multipart/mixed")
        #expect(
            root.children.map(\.contentType.mimeType) == [
                "multipart/alternative", "message/rfc822", "application/octet-stream",
            ])
        #expect(root.children[0].children.map(\.contentType.mimeType) == ["text/plain", "text/html"])
        #expect(root.children[1].encapsulatedMessage?.contentType.mimeType == "text/plain")
        #expect(root.children[2].filename == "été.bin")
        #expect(root.children[2].transferEncoding == "base64")
        #expect(root.range == 0..<parsed.bytes.count)
    }

    @Test("RFC 2045 5.2: no header at all means text/plain; charset=us-ascii and everything is body")
    func noHeaderAtAll() {
        let parsed = message("just text\nmore\n")
        #expect(parsed.header.fields.isEmpty)
        #expect(parsed.root.headerRange == 0..<0)
        #expect(parsed.root.bodyRange == 0..<17)
        #expect(parsed.root.contentType == .defaultText)
        #expect(!parsed.root.hasExplicitContentType)
        #expect(parsed.root.bodyLineCount == 2)
    }

    @Test("A header-only message has an empty body")
    func headerOnly() {
        let parsed = message("Subject: x\nFrom: a@b.test\n")
        #expect(parsed.header.fields.map(\.name) == ["Subject", "From"])
        #expect(parsed.root.bodyRange.isEmpty)
        #expect(parsed.root.headerRange == 0..<parsed.bytes.count)
    }

    @Test("RFC 5322 2.2.3: a folded field keeps its raw folding and unfolds for use")
    func foldedField() {
        let parsed = message("Subject: a\n\tb\n  c\nTo: x@y.test\n\nbody")
        let subject = parsed.header.first("subject")
        #expect(subject.map { text($0.rawValue) } == " a\r\n\tb\r\n  c")
        #expect(subject?.unfoldedValue == "a\tb  c")
        #expect(parsed.header.first("TO")?.unfoldedValue == "x@y.test")
    }

    @Test("Lenient: bare LF line ends split header, body and multipart parts")
    func bareLineFeeds() {
        let bytes = Array(
            "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\none\n--b\n\ntwo\n--b--\n"
                .utf8)
        let parsed = MIMEMessage(bytes)
        #expect(parsed.root.children.count == 2)
        #expect(parsed.root.children.map { text(parsed.bytes[$0.bodyRange]) } == ["one", "two"])
    }

    @Test("RFC 2046 5.1.1: a missing close delimiter ends the last part at the end of the body, less its line break")
    func missingCloseDelimiter() throws {
        let parsed = message("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nfirst\n--b\n\nsecond\nstill second\n")
        #expect(parsed.root.children.count == 2)
        #expect(try parsed.section("2") == "second\r\nstill second")
    }

    @Test("RFC 2046 5.1.1: transport padding after a delimiter is allowed; a longer line is no delimiter")
    func transportPadding() throws {
        let parsed = message("Content-Type: multipart/mixed; boundary=b\n\n--b \t\n\none\n--bx\n--b--  \nepilogue\n")
        #expect(parsed.root.children.count == 1)
        #expect(try parsed.section("1") == "one\r\n--bx")
    }

    @Test("A multipart without a boundary parameter is one opaque text/plain part (RFC 2045 5.2)")
    func missingBoundary() {
        let parsed = message("Content-Type: multipart/mixed\n\n--x\n\nbody\n")
        #expect(parsed.root.children.isEmpty)
        #expect(parsed.root.contentType == .defaultText)
    }

    @Test("A boundary that never occurs leaves one empty part, so BODYSTRUCTURE stays valid")
    func boundaryNeverOccurs() {
        let parsed = message("Content-Type: multipart/mixed; boundary=zz\n\nno delimiters here\n")
        #expect(parsed.root.children.count == 1)
        #expect(parsed.root.children[0].bodyRange.isEmpty)
        #expect(
            text(parsed.bodyStructure(extensible: false))
                == #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 0 0) "mixed")"#)
    }

    @Test("Consecutive delimiter lines enclose no part, as Python's email package reads them")
    func doubleDelimiter() {
        let parsed = message("Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n\nonly\n--b--\n")
        #expect(parsed.root.children.count == 1)
    }

    @Test("RFC 2046 5.1.5: parts of multipart/digest default to message/rfc822")
    func digestDefault() {
        let parsed = message(
            "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nbody one\n--d\nContent-Type: text/plain\n\nplain\n--d--\n"
        )
        #expect(parsed.root.children.map(\.contentType.mimeType) == ["message/rfc822", "text/plain"])
        #expect(parsed.root.children[0].encapsulatedMessage?.header.first("Subject")?.unfoldedValue == "one")
    }

    @Test("RFC 2045 5.2: an invalid Content-Type falls back to text/plain; charset=us-ascii")
    func invalidContentType() {
        #expect(message("Content-Type: text\n\nx").root.contentType == .defaultText)
        #expect(message("Content-Type: te xt/pl ain\n\nx").root.contentType == .defaultText)
        #expect(
            message("Content-Type: TEXT/HTML ; Charset = \"utf-8\" (comment)\n\nx").root.contentType.parameter(
                "charset") == "utf-8")
    }

    @Test("Nesting stops at the depth limit without failing")
    func depthLimit() {
        var text = ""
        for level in 0..<100 { text += "Content-Type: multipart/mixed; boundary=b\(level)\n\n--b\(level)\n" }
        text += "\nleaf\n"
        let parsed = MIMEMessage(crlf(text), limits: MIMELimits(maximumDepth: 10))
        var depth = 0
        var part = parsed.root
        while let child = part.children.first {
            depth += 1
            part = child
        }
        // Level 10 is not split: an empty text/plain part stands in at level 11.
        #expect(depth == 11)
        #expect(part.bodyRange.isEmpty && part.contentType == .defaultText)
        #expect(!parsed.bodyStructure(extensible: true).isEmpty)
    }

    @Test("message/rfc822 past the depth limit still renders a well-formed BODYSTRUCTURE")
    func messageAtDepthLimit() {
        let parsed = MIMEMessage(
            crlf("Content-Type: message/rfc822\n\nSubject: x\n\nbody\n"), limits: MIMELimits(maximumDepth: 0))
        #expect(
            text(parsed.bodyStructure(extensible: false))
                == #"("message" "rfc822" NIL NIL NIL "7BIT" 20 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" NIL NIL NIL "7BIT" 0 0) 3)"#
        )
    }

    @Test("Part counts are bounded")
    func partLimit() {
        let body = String(repeating: "--b\n\nx\n", count: 5000)
        let parsed = MIMEMessage(
            crlf("Content-Type: multipart/mixed; boundary=b\n\n" + body), limits: MIMELimits(maximumParts: 100))
        #expect(parsed.root.children.count <= 100)
    }

    @Test("A very long header line parses and renders")
    func longHeaderLine() {
        let subject = String(repeating: "word ", count: 20_000)
        let parsed = message("Subject: \(subject)\n\nbody")
        #expect(parsed.subject?.count == subject.count)  // trailing whitespace is kept as written
        #expect(parsed.envelope().count > 100_000)
    }

    @Test("RFC 5322 4.5.8: whitespace before the colon is tolerated; an mbox From line is skipped")
    func obsoleteHeaderForms() {
        let parsed = message("From sender Mon Jan 1 00:00:00 2024\nSubject : hi\n\nbody")
        #expect(parsed.subject == "hi")
        #expect(parsed.header.fields.count == 1)
    }
}
