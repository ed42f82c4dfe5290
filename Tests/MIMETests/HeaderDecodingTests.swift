import MIME
import Testing

@Suite("RFC 2047 encoded words and RFC 2231 parameters")
struct HeaderDecodingTests {
    @Test(
        "RFC 2047 decoding",
        arguments: [
            ("RFC 2047 4.2: Q encoding", "=?utf-8?q?caf=C3=A9_au_lait?=", "café au lait"),
            ("RFC 2047 4.1: B encoding in ISO-8859-1", "=?ISO-8859-1?B?SvZyZw==?=", "Jörg"),
            ("RFC 2047 6.2: whitespace between adjacent words is dropped", "=?utf-8?q?a?= \t =?utf-8?q?b?=", "ab"),
            (
                "RFC 2047 6.2: a word split across charsets joins up", "=?iso-8859-1?q?J=F6?= =?utf-8?q?rg_=E2=82=AC?=",
                "Jörg €"
            ),
            (
                "RFC 2047 5: words among ordinary text keep the text's spaces", "Re: =?utf-8?q?caf=C3=A9?= ok",
                "Re: café ok"
            ),
            ("windows-1252 0x80 is the euro sign", "=?windows-1252?q?=80?=", "€"),
            ("ISO-8859-15 0xA4 is the euro sign", "=?iso-8859-15?q?=A4?=", "€"),
            ("us-ascii", "=?US-ASCII?Q?plain?=", "plain"),
            ("RFC 2231 5: a language suffix is ignored", "=?utf-8*en?q?hi?=", "hi"),
            ("An unknown encoding is left as it is", "=?utf-8?x?abc?=", "=?utf-8?x?abc?="),
            ("An unknown charset is left as it is", "=?x-unknown?q?abc?=", "=?x-unknown?q?abc?="),
            ("An unterminated word is left as it is", "=?utf-8?q?abc", "=?utf-8?q?abc"),
            ("Invalid base64 is left as it is", "=?utf-8?b?###?=", "=?utf-8?b?###?="),
            ("Invalid UTF-8 in a word is left as it is", "=?utf-8?q?=FF?=", "=?utf-8?q?=FF?="),
            ("A word with a space inside is no word", "=?utf-8?q?a b?=", "=?utf-8?q?a b?="),
            ("Text between words that is not whitespace stays", "=?utf-8?q?a?=-=?utf-8?q?b?=", "a-b"),
        ])
    func encodedWords(_ name: String, _ source: String, _ expected: String) {
        #expect(EncodedWords.decode(Array(source.utf8)) == expected, "\(name)")
    }

    @Test("Unencoded 8-bit header bytes: UTF-8 when valid, else ISO-8859-1")
    func rawEightBit() {
        #expect(EncodedWords.decode(Array("Grüße".utf8)) == "Grüße")
        #expect(EncodedWords.decode([0x47, 0xFC]) == "Gü")
    }

    @Test(
        "RFC 2231 parameter values",
        arguments: [
            (
                "RFC 2231 3-4: continuations with charset",
                "attachment; filename*0*=utf-8''%C3%A9t%C3%A9; filename*1=\".bin\"", "été.bin"
            ),
            ("RFC 2231 4: charset and language", "attachment; filename*=iso-8859-1'en'%E9t%E9.txt", "été.txt"),
            ("RFC 2045 5.1: a quoted value", "attachment; filename=\"plain name.txt\"", "plain name.txt"),
            ("RFC 2231 3: continuations are ordered by number", "attachment; filename*1=\"b\"; filename*0=\"a\"", "ab"),
            (
                "Leniency: RFC 2047 words in a quoted value", "attachment; filename=\"=?utf-8?b?w6l0w6kucGRm?=\"",
                "été.pdf"
            ),
            (
                "Leniency: an unquoted value with spaces runs to the semicolon", "attachment; filename=a b.txt ; x=y",
                "a b.txt"
            ),
            ("RFC 2231 wins over the plain form", "attachment; filename=\"old\"; filename*=utf-8''new", "new"),
        ])
    func parameters(_ name: String, _ source: String, _ expected: String) {
        let parsed = message("Content-Disposition: \(source)\n\nx")
        #expect(parsed.root.filename == expected, "\(name)")
    }

    @Test("RFC 2183: the file name falls back to Content-Type's name")
    func nameFallback() {
        #expect(message("Content-Type: application/pdf; name=\"a.pdf\"\n\nx").root.filename == "a.pdf")
        #expect(message("Content-Type: application/pdf\n\nx").root.filename == nil)
    }

    @Test("RFC 2045 6.8: base64 skips line breaks and junk; RFC 2047's B words are strict")
    func base64() {
        #expect(TransferEncoding.decodeBase64(Array("AA\r\nE!C".utf8)) == [0, 1, 2])
        #expect(TransferEncoding.decodeBase64(Array("AA E".utf8), strict: true) == nil)
        #expect(TransferEncoding.decodeBase64(Array("QQ==".utf8), strict: true) == [0x41])
    }
}
