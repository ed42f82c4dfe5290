import Foundation

/// The messages of the durability test: each carries a unique id in its header, and its bytes
/// follow from the id alone, so the check can tell a message intact from a damaged one.
enum DurabilityMessage {
    static let idField = "X-Durability-Id: "

    static func bytes(id: String) -> Data {
        var text = """
            From: writer@example.net\r
            To: user0@\(BenchDirectory.domain)\r
            Subject: durability \(id)\r
            \(idField)\(id)\r
            \r

            """
        for line in 1...12 { text += "Message \(id), line \(line) of 12: the quick brown fox jumps over the dog.\r\n" }
        return Data(text.utf8)
    }

    /// The id in the header of `bytes`, if any.
    static func id(in bytes: Data) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let field = text.range(of: "\r\n" + idField),
            let end = text.range(of: "\r\n", range: field.upperBound..<text.endIndex)
        else { return nil }
        return String(text[field.upperBound..<end.lowerBound])
    }
}
