import Foundation
import MailStore
import MailStoreSQLite
import MailgateTesting
import Testing

@testable import IMAPServer

/// RFC 5256 SORT.
@Suite("IMAP SORT")
struct IMAPSortTests {
    @Test(
        "RFC 5256 2.1: base subjects",
        arguments: [
            ("Re: Lunch", "Lunch"), ("RE: re: Fwd: Lunch", "Lunch"), ("Fw: Lunch (fwd)", "Lunch"),
            ("[list] Re: Lunch", "Lunch"), ("Re[2]: Lunch", "Lunch"), ("[Fwd: Lunch]", "Lunch"),
            ("  Lunch\t  today ", "Lunch today"), ("[only-blob]", "[only-blob]"), ("Reply needed", "Reply needed"),
            ("", ""),
        ])
    func baseSubject(_ subject: String, _ base: String) {
        #expect(IMAPSort.baseSubject(subject) == base)
    }

    @Test("RFC 5322 3.3 dates, with zones, without day names or seconds, obsolete zones and two-digit years")
    func dates() {
        #expect(RFC5322Date.parse("Thu, 1 Jan 1970 00:00:00 +0000") == 0)
        #expect(RFC5322Date.parse("1 Jan 1970 01:00 +0100") == 0)
        #expect(RFC5322Date.parse("Wed, 31 Dec 1969 19:00:00 EST") == 0)
        #expect(RFC5322Date.parse("Tue, 3 Mar 2026 10:00:00 +0000") == 1_772_532_000)
        #expect(RFC5322Date.parse("3 Mar 26 10:00:00 GMT") == 1_772_532_000)
        #expect(RFC5322Date.parse("not a date") == nil)
        #expect(RFC5322Date.parse("32 Jan 2026 10:00 +0000") == nil)
    }

    static func message(from: String, to: String, subject: String, date: String, body: String = "x") -> Data {
        Data("From: \(from)\r\nTo: \(to)\r\nSubject: \(subject)\r\nDate: \(date)\r\n\r\n\(body)\r\n".utf8)
    }

    @Test("SORT and UID SORT by subject, reverse date, from, size and arrival, with search keys")
    func sort() async throws {
        try await IMAPTestServer.run { server in
            let mailbox = try await server.mailbox("ann@example.test")
            let messages = [
                Self.message(
                    from: "Zed <zed@example.test>", to: "b@x.test", subject: "Re: beta",
                    date: "Tue, 3 Mar 2026 10:00:00 +0000", body: String(repeating: "x", count: 300)),
                Self.message(
                    from: "alice@example.test", to: "a@x.test", subject: "Alpha",
                    date: "Tue, 3 Mar 2026 12:00:00 +0100"),
                Self.message(
                    from: "Bob <bob@example.test>", to: "c@x.test", subject: "[list] Fwd: alpha",
                    date: "Tue, 3 Mar 2026 09:00:00 -0500", body: String(repeating: "y", count: 100)),
            ]
            for (index, bytes) in messages.enumerated() {
                let arrival = server.fixture.clock.now.addingTimeInterval(Double(10 - index))
                _ = try await server.fixture.store.deliver(.init(bytes: bytes, internalDate: arrival), to: [mailbox])
            }
            try await IMAPTestClient.connect(port: server.port) { client in
                try await client.signInAndSelect()
                // Dates in UTC: 1 is 10:00, 2 is 11:00, 3 is 14:00. Arrival: 3, 2, 1.
                try await client.play(
                    """
                    C: a1 SORT (SUBJECT) UTF-8 ALL
                    S: * SORT 2 3 1
                    S: a1 OK SORT completed
                    C: a2 SORT (REVERSE DATE) UTF-8 ALL
                    S: * SORT 3 2 1
                    S: a2 OK SORT completed
                    C: a3 UID SORT (FROM) US-ASCII ALL
                    S: * SORT 2 3 1
                    S: a3 OK SORT completed
                    C: a4 SORT (SIZE) UTF-8 NOT SUBJECT beta
                    S: * SORT 2 3
                    S: a4 OK SORT completed
                    C: a5 SORT (ARRIVAL) UTF-8 ALL
                    S: * SORT 3 2 1
                    S: a5 OK SORT completed
                    C: a6 SORT (TO REVERSE SIZE) UTF-8 1:2
                    S: * SORT 2 1
                    S: a6 OK SORT completed
                    C: a7 SORT (SUBJECT) KOI8-R ALL
                    S~ a7 BAD .*BADCHARSET.*
                    C: a8 SORT () UTF-8 ALL
                    S~ a8 BAD .*
                    """)
            }
        }
    }
}
