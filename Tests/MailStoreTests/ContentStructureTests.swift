import Foundation
import MIME
import MailStore
import MailStoreSQLite
import MailgateTesting
import Testing

@Suite("Store: structures kept with the content, and batched reads")
struct ContentStructureTests {
    let fixture: StoreFixture
    init() throws { fixture = try StoreFixture() }
    var store: SQLiteMailStore { fixture.store }

    func inbox(_ mailbox: MailboxID) async throws -> FolderInfo {
        try #require(try await store.folders(of: mailbox).first { $0.role == .inbox })
    }

    static let multipart = Data(
        """
        From: =?UTF-8?Q?Ren=C3=A9?= <rene@sender.test>\r
        To: a@example.test, "B, Bee" <b@example.test>\r
        Subject: Report\r
        Message-ID: <r1@sender.test>\r
        MIME-Version: 1.0\r
        Content-Type: multipart/mixed; boundary="b1"\r
        \r
        --b1\r
        Content-Type: text/plain; charset=utf-8\r
        \r
        See attached.\r
        --b1\r
        Content-Type: application/pdf; name="r.pdf"\r
        Content-Transfer-Encoding: base64\r
        \r
        JVBERi0xLjQK\r
        --b1--\r

        """.utf8)

    @Test("Delivery and APPEND keep the ENVELOPE and BODYSTRUCTURE that parsing the bytes gives")
    func keptOnStore() async throws {
        let box = try #require(try await fixture.seed(users: ["a@example.test"]).first?.mailbox.id)
        _ = try await store.deliver(.init(bytes: Self.multipart, internalDate: fixture.clock.now), to: [box])
        let folder = try await inbox(box)
        _ = try await store.append(
            .init(bytes: StoreFixture.message(subject: "Two"), internalDate: fixture.clock.now), to: folder.id,
            flags: [], keywords: [])
        let structures = try await store.structures(in: folder.id, uids: 1...10)
        #expect(structures.uids == [1, 2])
        let parsed = MIMEMessage(Array(Self.multipart))
        #expect(structures[1]?.envelope == parsed.envelope(.rev1))
        #expect(structures[1]?.bodyStructure == parsed.bodyStructure(extensible: true))
        #expect(structures[2] == ContentStructure(of: StoreFixture.message(subject: "Two")))
        #expect(try await store.structures(in: folder.id, uids: 2...2).uids == [2])
    }

    @Test("A copy shares the structure; it outlives the original's removal")
    func sharedByCopies() async throws {
        let box = try #require(try await fixture.seed(users: ["a@example.test"]).first?.mailbox.id)
        _ = try await store.deliver(.init(bytes: Self.multipart, internalDate: fixture.clock.now), to: [box])
        let folder = try await inbox(box)
        let archive = try await store.createFolder(named: "Archive", in: box)
        let copied = try await store.copy([1], from: folder.id, to: archive.id)
        _ = try await store.remove([1], from: folder.id, onlyDeleted: false)
        #expect(try await store.structures(in: folder.id, uids: 1...1).isEmpty)
        let kept = try await store.structures(in: archive.id, uids: 1...10)
        #expect(kept[try #require(copied.pairs.first?.destination)] == ContentStructure(of: Self.multipart))
    }

    @Test("Batched byte reads answer what single reads do, and leave out removed content")
    func batchedBytes() async throws {
        let box = try #require(try await fixture.seed(users: ["a@example.test"]).first?.mailbox.id)
        for index in 0..<600 {
            _ = try await store.deliver(
                .init(bytes: StoreFixture.message(subject: "n\(index)"), internalDate: fixture.clock.now), to: [box])
        }
        let folder = try await inbox(box)
        let summaries = try await store.messages(in: folder.id, uids: nil)
        _ = try await store.remove([7], from: folder.id, onlyDeleted: false)
        let contents = summaries.map(\.content)
        let batch = try await store.messageBytes(contents)
        #expect(batch.count == 599)
        let removed = try #require(summaries.first { $0.uid == 7 }?.content)
        #expect(batch[removed] == nil)
        for summary in summaries.prefix(20) where summary.uid != 7 {
            #expect(batch[summary.content] == (try await store.messageBytes(summary.content)))
        }
        #expect(try await store.messageBytes([ContentID]()).isEmpty)
    }
}
