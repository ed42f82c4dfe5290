import Foundation
import MailStore

/// Reads the messages a POP3 client is about to retrieve in groups, one store read per group,
/// and reads the next group while the client retrieves this one: clients RETR the maildrop in
/// order, so the store's work overlaps the network's instead of adding to it.
///
/// Only a client going in order gets groups: one jumping about (newest first, TOP here and
/// there) gets single reads, not groups it would mostly throw away. Bounded in count and octets,
/// so a session holds at most two groups (about 2 MiB) in memory.
struct MessagePrefetch {
    static let maximumMessages = 16
    static let maximumOctets = 1 << 20

    /// A group of consecutive maildrop positions being read, or read.
    private struct Group {
        let positions: Range<Int>
        let read: Task<[ContentID: Data], any Error>
    }

    /// The group the client is retrieving now.
    private var current: Group?
    /// The group after it, read in the background.
    private var next: Group?
    /// The maildrop position of the message asked for last.
    private var lastPosition: Int?

    /// The bytes of the message at `position` in `maildrop` (zero-based); nil when the message
    /// has been removed from the store.
    mutating func bytes(at position: Int, in maildrop: Maildrop, store: any MailStore) async throws -> Data? {
        let messages = maildrop.messages
        guard messages.indices.contains(position) else { return nil }
        let inOrder = position == (lastPosition ?? -1) + 1
        lastPosition = position
        if let next, next.positions.contains(position) {
            current = next
            self.next = nil
        }
        guard let current, current.positions.contains(position) else {
            self.current = nil
            next?.read.cancel()
            next = nil
            guard inOrder else { return try await store.messageBytes(messages[position].content) }
            let group = Self.group(from: position, of: messages, store: store)
            self.current = group
            return try await take(position, from: group, messages: messages, store: store)
        }
        return try await take(position, from: current, messages: messages, store: store)
    }

    /// The message's bytes from `group`; starts reading the group after it if not yet under way.
    private mutating func take(_ position: Int, from group: Group, messages: [Maildrop.Message], store: any MailStore)
        async throws -> Data?
    {
        if next == nil, group.positions.upperBound < messages.count {
            next = Self.group(from: group.positions.upperBound, of: messages, store: store)
        }
        do {
            return try await group.read.value[messages[position].content]
        } catch {
            // Not kept: the client's next try reads afresh instead of meeting the same failure.
            current = nil
            next?.read.cancel()
            next = nil
            throw error
        }
    }

    /// Starts reading the group that begins at `start`.
    private static func group(from start: Int, of messages: [Maildrop.Message], store: any MailStore) -> Group {
        let positions = ReadGroups.group(
            from: start, of: messages.lazy.map(\.size), maximumCount: maximumMessages, maximumOctets: maximumOctets)
        let contents = messages[positions].map(\.content)
        return Group(positions: positions, read: Task { try await store.messageBytes(contents) })
    }
}
