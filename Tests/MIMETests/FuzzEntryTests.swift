import MIME
import Testing

@Suite("MIMEMessage.fuzz on hostile inputs")
struct FuzzEntryTests {
    @Test(
        "The fuzz entry point survives hostile shapes (STYLE.md section 3: total parsers)",
        arguments: [
            "",
            "\r\n",
            "\n\n\n",
            ":",
            " continuation first\r\n\r\n",
            "Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n--\r\n",
            "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a--",
            "Content-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n",
            "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n--d\r\n\r\n--d",
            "Subject: =?=?=?=?utf-8?b?=?=?q??=\r\nFrom: <<<@>>>,;:\"\\\r\n\r\n",
            "From: (((((unclosed comment\r\nTo: \"unclosed quote\r\n\r\n",
            "Content-Disposition: a; filename*0*=''%; filename*99999*=x; filename*=%%%\r\n\r\n",
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n=\r\n==\r\n=4",
            "Content-Transfer-Encoding: base64\r\n\r\n====A===",
        ])
    func hostile(_ input: String) {
        let bytes = Array(input.utf8)
        bytes.withUnsafeBytes { MIMEMessage.fuzz($0) }
    }

    @Test("Invalid UTF-8 and NUL bytes in headers render as literals without NUL")
    func binaryHeaders() {
        let bytes: [UInt8] = Array("Subject: ".utf8) + [0, 0xFF, 0xC3] + Array("\r\n\r\n".utf8)
        bytes.withUnsafeBytes { MIMEMessage.fuzz($0) }
        let envelope = MIMEMessage(bytes).envelope(.rev2)
        #expect(!envelope.contains(0))
        #expect(envelope.starts(with: Array("(NIL {2}\r\n".utf8)))
    }
}
