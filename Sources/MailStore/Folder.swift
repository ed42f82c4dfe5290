/// The part a folder plays, whatever the user renamed it to (RFC 6154 special-use).
public enum FolderRole: String, Sendable, Hashable, CaseIterable, Codable {
    case inbox, drafts, sent, deleted, junk, outbox

    /// The name a new mailbox's folder gets.
    public var defaultName: String {
        switch self {
        case .inbox: "Inbox"
        case .drafts: "Drafts"
        case .sent: "Sent Items"
        case .deleted: "Deleted Items"
        case .junk: "Junk Email"
        case .outbox: "Outbox"
        }
    }

    /// The RFC 6154 attribute, if the role has one (Inbox and Outbox have none).
    public var specialUseAttribute: String? {
        switch self {
        case .inbox, .outbox: nil
        case .drafts: "\\Drafts"
        case .sent: "\\Sent"
        case .deleted: "\\Trash"
        case .junk: "\\Junk"
        }
    }
}

/// A folder's state, as IMAP SELECT/STATUS and ActiveSync FolderSync need it.
public struct FolderInfo: Sendable, Hashable {
    public var id: FolderID
    public var mailbox: MailboxID
    /// Full hierarchical name, levels separated by ``FolderInfo/delimiter``.
    public var name: String
    public var role: FolderRole?
    public var uidValidity: UInt32
    /// The UID the next message added will get.
    public var uidNext: MessageUID
    public var highestModSeq: ModSeq
    public var isSubscribed: Bool
    public var messageCount: Int
    public var unseenCount: Int

    public init(
        id: FolderID, mailbox: MailboxID, name: String, role: FolderRole?, uidValidity: UInt32,
        uidNext: MessageUID, highestModSeq: ModSeq, isSubscribed: Bool, messageCount: Int, unseenCount: Int
    ) {
        self.id = id
        self.mailbox = mailbox
        self.name = name
        self.role = role
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.highestModSeq = highestModSeq
        self.isSubscribed = isSubscribed
        self.messageCount = messageCount
        self.unseenCount = unseenCount
    }

    /// The hierarchy delimiter of folder names.
    public static let delimiter: Character = "/"

    /// A folder name is 1 to 255 characters, no empty level, no control characters,
    /// no `*` or `%` (IMAP LIST wildcards, RFC 3501 5.1) and not starting with the delimiter.
    public static func isValidName(_ name: String) -> Bool {
        (1...255).contains(name.count)
            && !name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "*" || $0 == "%" }
            && name.split(separator: delimiter, omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty }
    }
}
