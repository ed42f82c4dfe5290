public import Foundation
public import MailStore
public import MailgateCore

/// One IMAP command from a client (RFC 3501 6), with its tag.
public struct IMAPCommand: Sendable, Equatable {
    /// The client's tag, echoed in the tagged reply.
    public var tag: String
    /// What the client asks for.
    public var kind: Kind

    /// Creates a command.
    public init(tag: String, _ kind: Kind) {
        self.tag = tag
        self.kind = kind
    }

    /// The commands the server understands; mailbox names are decoded from modified UTF-7.
    public enum Kind: Sendable, Equatable {
        case capability, noop, logout, startTLS, check, close, unselect, idle, namespace
        case login(user: String, password: Secret)
        /// RFC 3501 6.2.2 with RFC 4959 SASL-IR: `initialResponse` is the base64 text, `=` for empty.
        case authenticate(mechanism: String, initialResponse: String?)
        /// RFC 2971: the client's parameters (ignored beyond logging).
        case id([String: String])
        case enable([String])
        /// RFC 3501 6.3.1-2 with RFC 7162 3.1.8 CONDSTORE and 3.2.5 QRESYNC parameters.
        case select(mailbox: String, readOnly: Bool, condstore: Bool, qresync: IMAPQResync? = nil)
        case create(String)
        case delete(String)
        case rename(from: String, to: String)
        case subscribe(String)
        case unsubscribe(String)
        case list(IMAPListCommand)
        case lsub(reference: String, pattern: String)
        case status(mailbox: String, items: [IMAPStatusItem])
        case append(mailbox: String, flags: [String], date: Date?, message: [UInt8])
        case expunge
        case uidExpunge(IMAPSequenceSet)
        /// `vanished`: RFC 7162 3.2.6 UID FETCH modifier VANISHED.
        case fetch(IMAPSequenceSet, items: [IMAPFetchItem], changedSince: ModSeq?, uid: Bool, vanished: Bool = false)
        case store(IMAPSequenceSet, IMAPStoreChange, uid: Bool)
        case copy(IMAPSequenceSet, mailbox: String, uid: Bool)
        case move(IMAPSequenceSet, mailbox: String, uid: Bool)
        /// `returnOptions`: RFC 4731 ESEARCH `RETURN (MIN MAX ALL COUNT)`; nil for a classic SEARCH.
        case search(IMAPSearchKey, uid: Bool, returnOptions: Set<String>? = nil)
        /// RFC 5256 SORT: criteria, then the search keys (its charset is checked by the parser).
        case sort([IMAPSortKey], IMAPSearchKey, uid: Bool)
        case getQuotaRoot(String)
        case getQuota(String)
    }
}

/// LIST with RFC 5258 LIST-EXTENDED selection and return options and RFC 5819 LIST-STATUS.
public struct IMAPListCommand: Sendable, Equatable {
    public var reference: String
    public var patterns: [String]
    /// `SUBSCRIBED`, `SPECIAL-USE`, `RECURSIVEMATCH`, `REMOTE` (upper case).
    public var selectOptions: Set<String>
    /// `SUBSCRIBED`, `CHILDREN`, `SPECIAL-USE` (upper case).
    public var returnOptions: Set<String>
    /// RFC 5819 `RETURN (STATUS (...))`; empty for none.
    public var statusItems: [IMAPStatusItem]

    public init(
        reference: String, patterns: [String], selectOptions: Set<String> = [], returnOptions: Set<String> = [],
        statusItems: [IMAPStatusItem] = []
    ) {
        self.reference = reference
        self.patterns = patterns
        self.selectOptions = selectOptions
        self.returnOptions = returnOptions
        self.statusItems = statusItems
    }
}

/// SELECT's QRESYNC parameter (RFC 7162 3.2.5): what the client remembers of the folder.
public struct IMAPQResync: Sendable, Equatable {
    public var uidValidity: UInt32
    public var modSeq: ModSeq
    /// The UIDs the client knows; nil for all.
    public var knownUIDs: IMAPSequenceSet?

    public init(uidValidity: UInt32, modSeq: ModSeq, knownUIDs: IMAPSequenceSet? = nil) {
        self.uidValidity = uidValidity
        self.modSeq = modSeq
        self.knownUIDs = knownUIDs
    }
}

/// A STATUS data item (RFC 3501 6.3.10, RFC 7162 HIGHESTMODSEQ, RFC 8438 SIZE, RFC 9051 DELETED).
public enum IMAPStatusItem: String, Sendable, Equatable, CaseIterable {
    case messages = "MESSAGES"
    case recent = "RECENT"
    case uidNext = "UIDNEXT"
    case uidValidity = "UIDVALIDITY"
    case unseen = "UNSEEN"
    case highestModSeq = "HIGHESTMODSEQ"
    case size = "SIZE"
    case deleted = "DELETED"
}

/// STORE's change (RFC 3501 6.4.6, RFC 7162 3.1.3 UNCHANGEDSINCE).
public struct IMAPStoreChange: Sendable, Equatable {
    public var mode: FlagChangeMode
    public var isSilent: Bool
    /// Flags as sent, system flags with their backslash.
    public var flags: [String]
    public var unchangedSince: ModSeq?

    public init(mode: FlagChangeMode, isSilent: Bool, flags: [String], unchangedSince: ModSeq? = nil) {
        self.mode = mode
        self.isSilent = isSilent
        self.flags = flags
        self.unchangedSince = unchangedSince
    }
}
