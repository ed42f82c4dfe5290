import Foundation
import MailStore
import MailStoreSQLite
import MailgateTesting
import Testing

@testable import POP3Server

@Suite("POP3 maildrop snapshot")
struct MaildropTests {
    @Test("Sizes and dot lines come from the bytes, and a second sign-in finds them cached")
    func formsAreComputedOnceAndRight() async throws {
        let fixture = try StoreFixture()
        let box = try #require(try await fixture.seed(users: ["ann@example.test"]).first?.mailbox.id)
        let messages = [
            "Subject: plain\r\n\r\nhello\r\n",  // its own wire form
            "Subject: dot\r\n\r\n.leading dot\r\n",  // needs stuffing
            "Subject: bare\n\nbare line ends\n",  // needs CRLF
        ]
        for text in messages {
            _ = try await fixture.store.deliver(
                .init(bytes: Data(text.utf8), internalDate: fixture.clock.now), to: [box])
        }
        let cache = WireFormCache()
        let first = try await Maildrop.load(mailbox: box, store: fixture.store, forms: cache)
        let forms = first.messages.map { POP3Wire.Form(size: $0.size, dotLines: $0.dotLines) }
        let expected = messages.map { POP3Wire.form(of: Data($0.utf8)) }
        #expect(forms == expected)
        #expect(forms.map(\.dotLines) == [[], [16], nil])
        #expect(forms.map(\.size) == [25, 30, 33])
        for message in first.messages {
            #expect(
                cache.form(of: message.content) == POP3Wire.Form(size: message.size, dotLines: message.dotLines))
        }
        let second = try await Maildrop.load(mailbox: box, store: fixture.store, forms: cache)
        #expect(second == first)
    }

    @Test("Forms worked out at sign-in are kept when a session ends, and read after a restart")
    func formsAreKeptAcrossRestarts() async throws {
        let fixture = try StoreFixture()
        let box = try #require(try await fixture.seed(users: ["ann@example.test"]).first?.mailbox.id)
        for text in ["Subject: a\r\n\r\n.dot\r\n", "Subject: b\n\nbare\n", "Subject: c\r\n\r\nc\r\n"] {
            _ = try await fixture.store.deliver(
                .init(bytes: Data(text.utf8), internalDate: fixture.clock.now), to: [box])
        }
        let cache = WireFormCache()
        let first = try await Maildrop.load(mailbox: box, store: fixture.store, forms: cache)
        let contents = first.messages.map(\.content)
        #expect(try await fixture.store.wireForms(of: contents).isEmpty)  // kept when the session ends
        await cache.keepComputed(in: fixture.store)
        let kept = try await fixture.store.wireForms(of: contents)
        await cache.keepComputed(in: fixture.store)  // nothing new: no second write
        #expect(contents.map { kept[$0] } == first.messages.map { POP3Wire.Form(size: $0.size, dotLines: $0.dotLines) })

        // A restart: an empty cache. A kept form that differs from what the bytes give shows
        // that the sign-in took the kept one instead of reading the bytes.
        try await fixture.store.keepWireForms([contents[2]: POP3Wire.Form(size: 12_345, dotLines: nil)])
        let afterRestart = try await Maildrop.load(mailbox: box, store: fixture.store, forms: WireFormCache())
        #expect(afterRestart.messages.map(\.size) == [first.messages[0].size, first.messages[1].size, 12_345])
        #expect(afterRestart.messages.map(\.dotLines) == [first.messages[0].dotLines, nil, nil])
    }

    @Test("A maildrop bigger than one read group gets every message's form, in order")
    func formsOverSeveralGroups() async throws {
        let (_, drop, sent) = try await MessagePrefetchTests.maildrop()
        #expect(drop.messages.map(\.size) == sent.map { POP3Wire.form(of: $0).size })
        #expect(drop.messages.map(\.dotLines) == sent.map { POP3Wire.form(of: $0).dotLines })
    }

    @Test("Read groups: at most the count and the octets, but always the first message")
    func readGroups() {
        #expect(ReadGroups.group(from: 0, of: [10, 10, 10], maximumCount: 2, maximumOctets: 100) == 0..<2)
        #expect(ReadGroups.group(from: 1, of: [10, 60, 30, 20], maximumCount: 8, maximumOctets: 100) == 1..<3)
        #expect(ReadGroups.group(from: 0, of: [500, 1], maximumCount: 8, maximumOctets: 100) == 0..<1)
        #expect(ReadGroups.group(from: 2, of: [1, 1, 1], maximumCount: 8, maximumOctets: 100) == 2..<3)
    }
}
