public import MailStore
import Synchronization

/// The Inbox as one POP3 session sees it: a snapshot taken at sign-in (RFC 1939 4), so message
/// numbers and sizes do not move under the client while other sessions deliver or expunge.
public struct Maildrop: Sendable, Equatable {
    /// One message of the snapshot; its message number is its position plus one.
    public struct Message: Sendable, Equatable {
        public var uid: MessageUID
        public var content: ContentID
        /// The octets RETR sends before dot-stuffing (see ``POP3Wire/size(of:)``).
        public var size: Int
        /// RFC 1939 7 UIDL: stable for the message forever and never given to another one.
        public var uniqueID: String
        /// Where RETR stuffs a dot, when the bytes are in wire form (see ``POP3Wire/Form/dotLines``).
        public var dotLines: [Int]?

        public init(uid: MessageUID, content: ContentID, size: Int, uniqueID: String, dotLines: [Int]? = nil) {
            self.uid = uid
            self.content = content
            self.size = size
            self.uniqueID = uniqueID
            self.dotLines = dotLines
        }
    }

    public var mailbox: MailboxID
    public var folder: FolderID
    public var messages: [Message]

    public init(mailbox: MailboxID, folder: FolderID, messages: [Message]) {
        self.mailbox = mailbox
        self.folder = folder
        self.messages = messages
    }

    /// The UIDL of a message: the Inbox's folder ID (never reused), its UIDVALIDITY and the
    /// message's UID, which together name one message for ever. 0x21-0x7E only, at most
    /// 41 characters (RFC 1939 7 allows 70).
    public static func uniqueID(folder: FolderID, uidValidity: UInt32, uid: MessageUID) -> String {
        "\(folder.rawValue).\(uidValidity).\(uid)"
    }

    /// Reads the snapshot of a mailbox's Inbox. A message's wire form comes from `forms`, else
    /// from the store, which keeps them; only a content whose form nobody worked out yet has its
    /// bytes read (in groups, not one store read each). The forms worked out here are kept later,
    /// when the session ends (``WireFormCache/keepComputed(in:)``): a write now would make the
    /// client wait for it at sign-in.
    public static func load(mailbox: MailboxID, store: any MailStore, forms: WireFormCache) async throws
        -> Maildrop
    {
        guard let inbox = try await store.folders(of: mailbox).first(where: { $0.role == .inbox }) else {
            throw StoreRefusal.mailboxUnavailable
        }
        let summaries = try await store.messages(in: inbox.id, uids: nil)
        var known: [ContentID: POP3Wire.Form] = [:]
        var unknown: [MessageSummary] = []
        for summary in summaries {
            if let form = forms.form(of: summary.content) {
                known[summary.content] = form
            } else {
                unknown.append(summary)
            }
        }
        if !unknown.isEmpty {
            let kept = try await store.wireForms(of: unknown.map(\.content))
            for (content, form) in kept {
                forms.remember(form, for: content)
                known[content] = form
            }
            unknown.removeAll { kept[$0.content] != nil }
        }
        var start = 0
        while start < unknown.count {
            // As RETR's read-ahead reads: a group at a time, never all the bytes at once.
            let group = ReadGroups.group(
                from: start, of: unknown.lazy.map(\.size), maximumCount: MessagePrefetch.maximumMessages,
                maximumOctets: MessagePrefetch.maximumOctets)
            start = group.upperBound
            for (content, bytes) in try await store.messageBytes(unknown[group].map(\.content)) {
                let form = POP3Wire.form(of: bytes)
                forms.remember(form, for: content, computed: true)
                known[content] = form
            }
        }
        var messages: [Message] = []
        for summary in summaries {
            // Missing: removed between the listing and now, so not part of the snapshot.
            guard let form = known[summary.content] else { continue }
            messages.append(
                Message(
                    uid: summary.uid, content: summary.content, size: form.size,
                    uniqueID: uniqueID(folder: inbox.id, uidValidity: inbox.uidValidity, uid: summary.uid),
                    dotLines: form.dotLines))
        }
        return Maildrop(mailbox: mailbox, folder: inbox.id, messages: messages)
    }
}

/// Wire forms of stored contents, which never change (a content ID is never reused), so a
/// second sign-in does not read every message again. Bounded: emptied when full. Forms worked
/// out from the bytes wait here until a session ends and has the store keep them.
public final class WireFormCache: Sendable {
    private struct Table {
        var forms: [ContentID: POP3Wire.Form] = [:]
        /// Worked out from the bytes and not yet kept by the store.
        var computed: [ContentID: POP3Wire.Form] = [:]
    }
    private let table = Mutex(Table())
    private let limit: Int

    /// Forms waiting to be kept beyond which a session's end keeps them even while others run.
    static let maximumWaiting = 50_000

    public init(limit: Int = 200_000) { self.limit = limit }

    /// Forms worked out and not yet kept.
    var waitingCount: Int { table.withLock { $0.computed.count } }

    func form(of content: ContentID) -> POP3Wire.Form? { table.withLock { $0.forms[content] } }

    func remember(_ form: POP3Wire.Form, for content: ContentID, computed: Bool = false) {
        table.withLock { table in
            if table.forms.count >= limit { table.forms.removeAll(keepingCapacity: true) }
            table.forms[content] = form
            if computed, table.computed.count < limit { table.computed[content] = form }
        }
    }

    /// Has the store keep the forms worked out since the last call (any session's). Derived
    /// data: if the store cannot keep them now, a later sign-in works them out again.
    public func keepComputed(in store: any MailStore) async {
        let computed = table.withLock { table in
            defer { table.computed = [:] }
            return table.computed
        }
        guard !computed.isEmpty else { return }
        try? await store.keepWireForms(computed)
    }
}
