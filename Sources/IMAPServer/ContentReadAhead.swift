import Foundation
import MailStore

/// The bytes of the messages a SEARCH or SORT walks through, read in groups: when the walk
/// needs a message's bytes, the next few messages are read with it, in one store read (a
/// SEARCH BODY of 10,000 messages made 10,000 reads). Bounded in count and octets.
///
/// Used by one command's task; a class so that the search's recursive matcher can share it.
final class ContentReadAhead {
    static let maximumMessages = 64
    static let maximumOctets = 4 << 20

    private let summaries: [MessageSummary]
    private var ahead: [ContentID: Data] = [:]

    /// Reads ahead along `summaries`, in the order the walk takes them.
    init(_ summaries: [MessageSummary]) { self.summaries = summaries }

    /// The bytes of the message at `position` of the walk; nil when it has been removed.
    func bytes(at position: Int, store: any MailStore) async throws -> Data? {
        let content = summaries[position].content
        if let bytes = ahead.removeValue(forKey: content) { return bytes }
        var end = position + 1
        var octets = summaries[position].size
        while end < summaries.count, end - position < Self.maximumMessages,
            octets + summaries[end].size <= Self.maximumOctets
        {
            octets += summaries[end].size
            end += 1
        }
        // What was read ahead and not used is dropped: the walk has moved past it.
        ahead = try await store.messageBytes(summaries[position..<end].map(\.content))
        return ahead.removeValue(forKey: content)
    }

    /// The header section of a message: its bytes up to and including the empty line.
    static func header(of bytes: Data) -> Data {
        bytes.withUnsafeBytes { raw -> Data in
            // No header fields at all: the message starts with the empty line.
            if raw.first == UInt8(ascii: "\n") { return bytes.prefix(1) }
            if raw.count >= 2, raw[0] == UInt8(ascii: "\r"), raw[1] == UInt8(ascii: "\n") { return bytes.prefix(2) }
            var index = 0
            while index < raw.count {
                guard raw[index] == UInt8(ascii: "\n") else {
                    index += 1
                    continue
                }
                let next = index + 1
                if next < raw.count, raw[next] == UInt8(ascii: "\n") { return bytes.prefix(next + 1) }
                if next + 1 < raw.count, raw[next] == UInt8(ascii: "\r"), raw[next + 1] == UInt8(ascii: "\n") {
                    return bytes.prefix(next + 2)
                }
                index = next
            }
            return bytes
        }
    }
}
