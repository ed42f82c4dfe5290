public import Foundation

/// The RFC 3501 2.3.2 system flags a message can carry, stored as a bit set.
/// `\Recent` is a session property, not stored here.
public struct MessageFlags: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let seen = MessageFlags(rawValue: 1 << 0)
    public static let answered = MessageFlags(rawValue: 1 << 1)
    public static let flagged = MessageFlags(rawValue: 1 << 2)
    public static let deleted = MessageFlags(rawValue: 1 << 3)
    public static let draft = MessageFlags(rawValue: 1 << 4)
}

/// One message in a folder without its bytes: what a header listing needs.
public struct MessageSummary: Sendable, Hashable {
    public var uid: MessageUID
    public var flags: MessageFlags
    /// IMAP keywords (RFC 3501 2.3.2), sorted, each an atom.
    public var keywords: [String]
    public var internalDate: Date
    /// The size in octets of the stored bytes (CRLF line ends).
    public var size: Int
    public var modSeq: ModSeq
    public var content: ContentID

    public init(
        uid: MessageUID, flags: MessageFlags, keywords: [String], internalDate: Date, size: Int, modSeq: ModSeq,
        content: ContentID
    ) {
        self.uid = uid
        self.flags = flags
        self.keywords = keywords
        self.internalDate = internalDate
        self.size = size
        self.modSeq = modSeq
        self.content = content
    }
}

/// A message arriving in the store: SMTP delivery, IMAP APPEND, a notice.
public struct IncomingMessage: Sendable {
    /// The full message, header and body, with CRLF line ends.
    public var bytes: Data
    public var internalDate: Date

    public init(bytes: Data, internalDate: Date) {
        self.bytes = bytes
        self.internalDate = internalDate
    }
}

/// Where a recipient address leads, decided at SMTP RCPT time.
public enum RecipientResolution: Sendable, Hashable {
    /// A live user with an active mailbox (primary address or alias).
    case mailbox(MailboxID, user: UserID, quotaRemaining: Int64?)
    /// One of our domains, but no such user (RFC 5321 550 5.1.1).
    case unknownUser
    /// A user whose mailbox is disabled (no license) or who is deleted: refused like unknown.
    case disabled
    /// Not a domain of ours: relaying is refused (550 5.7.1).
    case foreignDomain
}

/// How `setFlags` changes the flags (IMAP STORE FLAGS / +FLAGS / -FLAGS).
public enum FlagChangeMode: Sendable, Hashable {
    case replace, add, remove
}

/// The outcome of a flag change.
public struct FlagChangeResult: Sendable, Hashable {
    /// Messages whose flags or keywords changed, with their new state and modseq.
    public var changed: [MessageSummary]
    /// UIDs refused because their modseq was above UNCHANGEDSINCE (RFC 7162 3.1.3).
    public var modifiedSince: [MessageUID]

    public init(changed: [MessageSummary], modifiedSince: [MessageUID]) {
        self.changed = changed
        self.modifiedSince = modifiedSince
    }
}

/// UIDs assigned by APPEND, COPY or MOVE (RFC 4315 UIDPLUS).
public struct UIDAssignment: Sendable, Hashable {
    public var uidValidity: UInt32
    /// Pairs of (source UID, new UID); for APPEND the source is 0.
    public var pairs: [(source: MessageUID, destination: MessageUID)]

    public init(uidValidity: UInt32, pairs: [(source: MessageUID, destination: MessageUID)]) {
        self.uidValidity = uidValidity
        self.pairs = pairs
    }

    public static func == (lhs: UIDAssignment, rhs: UIDAssignment) -> Bool {
        lhs.uidValidity == rhs.uidValidity && lhs.pairs.map(\.source) == rhs.pairs.map(\.source)
            && lhs.pairs.map(\.destination) == rhs.pairs.map(\.destination)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(uidValidity)
        for pair in pairs {
            hasher.combine(pair.source)
            hasher.combine(pair.destination)
        }
    }
}

/// Changes to a folder since a modseq (RFC 7162 CONDSTORE/QRESYNC, ActiveSync Sync).
public struct FolderChanges: Sendable, Hashable {
    /// Messages added or whose flags changed after the modseq.
    public var changed: [MessageSummary]
    /// UIDs removed after the modseq.
    public var vanished: [MessageUID]
    public var highestModSeq: ModSeq
    /// The folder as it is now (name, UIDNEXT, counts), read with the changes.
    public var folder: FolderInfo?

    public init(
        changed: [MessageSummary], vanished: [MessageUID], highestModSeq: ModSeq, folder: FolderInfo? = nil
    ) {
        self.changed = changed
        self.vanished = vanished
        self.highestModSeq = highestModSeq
        self.folder = folder
    }
}
