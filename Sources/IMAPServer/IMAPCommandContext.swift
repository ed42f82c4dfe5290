import Foundation
import MailStore
import MailgateCore

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

    /// The reply being built: untagged lines, then the tagged one.
    var output = IMAPResponseWriter()

    mutating func untagged(_ text: String) { output.raw(text) }

    func directory() async throws -> FolderDirectory { FolderDirectory(try await store.folders(of: mailbox)) }

    /// Brings the selected folder's view up to date, appending the untagged responses.
    mutating func refresh(allowExpunge: Bool, force: Bool = false) async throws {
        guard var selected else { return }
        // Only a change the feed reported (or expunges held back earlier) costs a store read.
        guard watch.takeDirty() || force || (allowExpunge && selected.hasHeldBackExpunges) else { return }
        let current = try await store.messages(in: selected.folder.id, uids: nil)
        for line in selected.update(to: current, allowExpunge: allowExpunge) { output.raw(line) }
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
