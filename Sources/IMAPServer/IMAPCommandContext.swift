import Foundation
import MailListener
import MailStore
import MailgateCore
import NIOCore

/// What mailbox commands work on: the store, the signed-in user's mailbox, the selection.
/// Owned by one session's driver task.
struct IMAPCommandContext {
    let store: any MailStore
    let mailbox: MailboxID
    let user: EmailAddress
    let clock: any MailgateClock
    let appendLimit: Int
    var selected: SelectedMailbox?
    var condStore: Bool
    /// RFC 7162 3.2.3: ENABLE QRESYNC was given; expunges are told as VANISHED.
    var qresync = false
    /// RFC 9051: ENABLE IMAP4rev2 was given.
    var rev2 = false
    let watch: IMAPChangeWatch

    /// Sends parts of a long reply before the command ends.
    let sender: MailSender
    /// The server's shared folder indexes (SELECT starts from them).
    let folderIndexes: FolderIndexCache

    /// The reply being built: untagged lines, then the tagged one.
    var output = IMAPResponseWriter()

    mutating func untagged(_ text: String) { output.raw(text) }

    /// A response at least this big goes out on its own instead of being copied into the reply.
    static let sendAloneSize = 64 * 1024
    /// The reply is sent once it holds this much (see ``flush(over:)``).
    static let replyFlushSize = 256 * 1024

    /// Adds a finished response to the reply. A big one (a whole message) goes out as it is
    /// after what came before, without being copied into the reply first.
    mutating func append(_ response: IMAPResponseWriter) async throws {
        if response.buffer.readableBytes >= Self.sendAloneSize {
            if output.buffer.readableBytes > 0 {
                let before = output.buffer
                output = IMAPResponseWriter()
                try await sender.send(before)
            }
            try await sender.send(response.buffer)
            return
        }
        output.bytes(response.buffer.readableBytesView)
        try await flush()
    }

    /// Sends what the reply holds so far once it passes `threshold` octets, so that a FETCH of a
    /// whole mailbox streams out instead of being built in memory.
    mutating func flush(over threshold: Int = replyFlushSize) async throws {
        guard output.buffer.readableBytes >= threshold else { return }
        let part = output.buffer
        // A reply that reached the threshold is streaming (a FETCH of a whole mailbox): the next
        // part gets room for a threshold's worth up front, not a buffer that doubles (and copies
        // what it holds) its way there.
        output = IMAPResponseWriter(capacity: threshold + Self.sendAloneSize)
        try await sender.send(part)
    }

    /// Writes one response straight into the reply, with room for about `size` octets made first;
    /// if `render` throws, what it wrote is taken back, so no partial response is ever sent.
    mutating func appendInPlace(
        size: Int, _ render: (inout IMAPResponseWriter) throws -> Void
    ) async throws {
        let mark = output.buffer.writerIndex
        output.buffer.reserveCapacity(minimumWritableBytes: size)
        do {
            try render(&output)
        } catch {
            output.buffer.moveWriterIndex(to: mark)
            throw error
        }
        try await flush()
    }

    /// The folder list as last read, to find a folder by name without reading the list again
    /// (SELECT checks what it finds against the folder's current row).
    var lastDirectory: FolderDirectory?

    /// The folder list, read now.
    mutating func directory() async throws -> FolderDirectory {
        let directory = FolderDirectory(try await store.folders(of: mailbox))
        lastDirectory = directory
        return directory
    }

    /// Brings the selected folder's view up to date, appending the untagged responses.
    mutating func refresh(allowExpunge: Bool, force: Bool = false) async throws {
        guard var selected else { return }
        // Only a change the feed reported (or expunges held back earlier) costs a store read.
        guard watch.takeDirty() || force || (allowExpunge && selected.hasHeldBackExpunges) else { return }
        let changes = try await store.changes(in: selected.folder.id, since: selected.seenModSeq)
        for line in selected.apply(changes, allowExpunge: allowExpunge) { output.raw(line) }
        if let index = selected.storeIndex { folderIndexes.offer(index, for: selected.folder.id) }
        self.selected = selected
    }
}

/// RFC 5530 response codes for store refusals.
extension StoreRefusal {
    var imapReply: String {
        switch self {
        case .folderExists: "[ALREADYEXISTS] \(self)"
        case .folderUnknown: "[NONEXISTENT] \(self)"
        case .folderHasRole: "[CANNOT] \(self)"
        case .invalidFolderName: "[CANNOT] \(self)"
        case .quotaExceeded: "[OVERQUOTA] \(self)"
        case .messageTooLarge: "[TOOBIG] \(self)"
        case .mailboxUnavailable: "[UNAVAILABLE] \(self)"
        default: "\(self)"
        }
    }
}
