import Foundation
import SMTPServer
import Testing

@Suite("SMTP trace headers")
struct SMTPTraceHeadersTests {
    static let dates: [(Double, String)] = [
        (0, "Thu, 1 Jan 1970 00:00:00 +0000"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 +0000"),
        (1_800_000_000, "Fri, 15 Jan 2027 08:00:00 +0000"),
        (4_102_444_799, "Thu, 31 Dec 2099 23:59:59 +0000"),
    ]

    @Test("RFC 5322 3.3: the date-time in Received", arguments: dates)
    func date(_ row: (seconds: Double, text: String)) {
        #expect(SMTPTraceHeaders.rfc5322Date(Date(timeIntervalSince1970: row.seconds)) == row.text)
    }
}

@Suite("RFC 8601 5: forged Authentication-Results")
struct ForgedResultsTests {
    @Test("Fields claiming our authserv-id are dropped with their continuation lines; others stay")
    func strips() {
        let message = """
            Authentication-Results: MX.example.test; spf=pass\r
            \tsmtp.mailfrom=forged@bank.test\r
            authentication-results: other.test; spf=fail\r
            Subject: hi\r
            \r
            Authentication-Results: mx.example.test; in the body stays\r

            """
        let cleaned = SMTPTraceHeaders.removingForgedResults(from: Array(message.utf8), authservID: "mx.example.test")
        #expect(
            String(decoding: cleaned, as: UTF8.self)
                == "authentication-results: other.test; spf=fail\r\nSubject: hi\r\n\r\nAuthentication-Results: mx.example.test; in the body stays\r\n"
        )
    }
}

@Suite("RFC 5322 2.2.3: folding")
struct FoldingTests {
    @Test("A long field is folded before spaces; unfolding gives it back")
    func folds() {
        let field =
            "Received-SPF: pass (mx.example.test: domain of \"a  b\"@x.test designates 127.0.0.1 as permitted sender) "
            + "client-ip=127.0.0.1; envelope-from=\"a  b\"@x.test; helo=\(String(repeating: "h", count: 100)).test;"
        let folded = SMTPTraceHeaders.fold(field)
        #expect(folded.replacingOccurrences(of: "\r\n", with: "") == field)
        for line in folded.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 78 || !line.dropFirst().contains(" "))
        }
    }
}
