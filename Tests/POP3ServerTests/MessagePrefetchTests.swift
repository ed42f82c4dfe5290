import Foundation
import MailStore
import MailStoreSQLite
import MailgateTesting
import Testing

@testable import POP3Server

@Suite("POP3 read-ahead")
struct MessagePrefetchTests {
    /// A maildrop of 60 messages from 1 KiB to about 300 KiB, so groups end on count and on octets.
    static func maildrop() async throws -> (StoreFixture, Maildrop, [Data]) {
        let fixture = try StoreFixture()
        let box = try #require(try await fixture.seed(users: ["ann@example.test"]).first?.mailbox.id)
        var sent: [Data] = []
        for index in 0..<60 {
            let size = index % 7 == 3 ? 300_000 : 1024 + index * 37
            let body = String(repeating: "line \(index) of the body\r\n", count: size / 22)
            let bytes = Data("Subject: \(index)\r\n\r\n\(body)".utf8)
            sent.append(bytes)
            _ = try await fixture.store.deliver(.init(bytes: bytes, internalDate: fixture.clock.now), to: [box])
        }
        let drop = try await Maildrop.load(mailbox: box, store: fixture.store, forms: WireFormCache())
        return (fixture, drop, sent)
    }

    @Test("In order, backwards and jumping about: every message comes back whole and right")
    func everyOrder() async throws {
        let (fixture, drop, sent) = try await Self.maildrop()
        #expect(drop.messages.count == 60)
        var orders: [[Int]] = [Array(0..<60), Array((0..<60).reversed())]
        orders.append([0, 1, 2, 40, 41, 42, 43, 5, 6, 7, 59, 58, 17, 18, 19, 20, 21, 22])
        orders.append(Array(0..<60).shuffled())
        for order in orders {
            var prefetch = MessagePrefetch()
            for position in order {
                let bytes = try await prefetch.bytes(at: position, in: drop, store: fixture.store)
                #expect(bytes == sent[position], "position \(position)")
            }
        }
    }

    @Test("A message removed after sign-in reads as nil, the others still arrive")
    func removedMeanwhile() async throws {
        let (fixture, drop, sent) = try await Self.maildrop()
        _ = try await fixture.store.remove([drop.messages[20].uid], from: drop.folder, onlyDeleted: false)
        var prefetch = MessagePrefetch()
        for position in 0..<30 {
            let bytes = try await prefetch.bytes(at: position, in: drop, store: fixture.store)
            #expect(bytes == (position == 20 ? nil : sent[position]), "position \(position)")
        }
    }
}
