import Foundation
import MailStore

/// Reads the messages a POP3 client is about to retrieve in groups, one store read per group:
/// clients RETR the maildrop in order, so the next few messages are read with the one asked
/// for. Only a client going in order gets the group: one jumping about (newest first, TOP here
/// and there) gets single reads, not groups it would mostly throw away. Bounded in count and
/// octets, so a session holds at most about one group in memory.
struct MessagePrefetch {
    static let maximumMessages = 16
    static let maximumOctets = 1 << 20

    private var ahead: [ContentID: Data] = [:]
    /// The maildrop position of the message asked for last.
    private var lastPosition: Int?

    /// The bytes of `content`, from the group read earlier or with the group that follows it in
    /// `maildrop`; nil when the message has been removed from the store.
    mutating func bytes(of content: ContentID, in maildrop: Maildrop?, store: any MailStore) async throws -> Data? {
        let messages = maildrop?.messages ?? []
        let position = messages.firstIndex { $0.content == content }
        defer { lastPosition = position }
        if let bytes = ahead.removeValue(forKey: content) { return bytes }
        ahead = [:]
        var group = [content]
        if let start = position, start == (lastPosition ?? -1) + 1 {
            var octets = messages[start].size
            for message in messages[(start + 1)...] {
                guard group.count < Self.maximumMessages, octets + message.size <= Self.maximumOctets else { break }
                group.append(message.content)
                octets += message.size
            }
        }
        guard group.count > 1 else { return try await store.messageBytes(content) }
        ahead = try await store.messageBytes(group)
        return ahead.removeValue(forKey: content)
    }
}
