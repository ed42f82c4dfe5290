import Foundation
import MailStore

/// The messages the store benchmark delivers: a short header and a body of 76-character lines,
/// `size` bytes in all, unique by number.
struct BenchMessage: Sendable {
    let size: Int
    /// A body long enough for any header; each message takes what it needs.
    private let filler: Data

    init(size: Int) {
        self.size = size
        let line = Data((String(repeating: "x", count: 76) + "\r\n").utf8)
        var filler = Data()
        while filler.count < size { filler += line }
        self.filler = filler
    }

    func bytes(_ index: Int) -> Data {
        var bytes = Data(
            """
            From: sender@example.net\r
            To: user@\(BenchDirectory.domain)\r
            Subject: bench \(index)\r
            Message-ID: <\(index)@bench.invalid>\r
            \r

            """.utf8)
        bytes += filler.prefix(max(0, size - bytes.count))
        return bytes
    }

    /// Throws unless the store saved the message in every mailbox.
    static func requireSaved(_ results: [Result<MessageUID, StoreRefusal>]) throws {
        for result in results {
            if case .failure(let refusal) = result { throw BenchError("delivery refused: \(refusal)") }
        }
    }
}
