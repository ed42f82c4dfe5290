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

    @Test("SEARCH BODY and SORT over 300 messages: read in groups, the answers are the per-message ones")
    func manyMessages() async throws {
        try await IMAPTestServer.run { server in
            // Subjects in a scrambled order; every 7th body holds the word searched for, some
            // messages are big enough to end a group on octets rather than count.
            let count = 300
            for index in 0..<count {
                let key = (index * 37) % count
                let filler = index % 50 == 0 ? String(repeating: "z", count: 600_000) : "plain"
                try await server.deliver(
                    to: "ann@example.test", subject: "n\(String(1000 + key))",
                    body: (index % 7 == 0 ? "needle here " : "hay ") + filler)
            }
            try await IMAPTestClient.connect(port: server.port) { client in
                try await client.signInAndSelect()
                let expectedSearch = (0..<count).filter { $0 % 7 == 0 }.map { " \($0 + 1)" }.joined()
                let sortedByKey = (0..<count).sorted { ($0 * 37) % count < ($1 * 37) % count }
                let expectedSort = sortedByKey.map { " \($0 + 1)" }.joined()
                try await client.play(
                    """
                    C: a1 UID SEARCH BODY needle
                    S: * SEARCH\(expectedSearch)
                    S: a1 OK SEARCH completed
                    C: a2 UID SORT (SUBJECT) UTF-8 ALL
                    S: * SORT\(expectedSort)
                    S: a2 OK SORT completed
                    C: a3 SEARCH UNSEEN BODY needle NOT BODY nothing-like-this
                    S: * SEARCH\(expectedSearch)
                    S: a3 OK SEARCH completed
                    """)
            }
        }
    }

    @Test("The header section ends at the first empty line, CRLF or bare LF; none at all is empty")
    func headerSection() {
        func header(_ text: String) -> String {
            String(decoding: ContentReadAhead.header(of: Data(text.utf8)), as: UTF8.self)
        }
        #expect(header("A: 1\r\nB: 2\r\n\r\nbody\r\n\r\nmore") == "A: 1\r\nB: 2\r\n\r\n")
        #expect(header("A: 1\nB: 2\n\nbody") == "A: 1\nB: 2\n\n")
        #expect(header("\r\nbody\r\n\r\nX: not a header") == "\r\n")
        #expect(header("A: 1\r\nB: 2") == "A: 1\r\nB: 2")
    }
}
