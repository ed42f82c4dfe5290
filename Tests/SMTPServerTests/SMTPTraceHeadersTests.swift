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
