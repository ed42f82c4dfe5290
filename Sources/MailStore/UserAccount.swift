public import Foundation

/// A user as the store holds them: sign-in name, details, licenses and mailbox state.
public struct UserAccount: Sendable, Hashable {
    public var id: UserID
    /// The primary address: the sign-in name (user ID) of the administrator's guide.
    public var email: EmailAddress
    public var aliases: [EmailAddress]
    public var profile: UserProfile
    /// SKUs assigned, sorted.
    public var licenses: [String]
    public var mailbox: MailboxState
    public var mustChangePassword: Bool
    public var passwordChangedAt: Date?
    /// Sign-in blocked by the administrator; mail is still accepted.
    public var isSignInBlocked: Bool
    /// Per-user ActiveSync switch (the organisation-wide one is in ``MobilePolicy``).
    public var isActiveSyncEnabled: Bool
    public var createdAt: Date
    /// Set while the user is soft-deleted (restorable for ``RetentionWindows/restore``).
    public var deletedAt: Date?
    /// The SKUs the user held when deleted: a restore needs one free license of each.
    public var licensesAtDeletion: [String]

    public init(
        id: UserID, email: EmailAddress, aliases: [EmailAddress], profile: UserProfile, licenses: [String],
        mailbox: MailboxState, mustChangePassword: Bool, passwordChangedAt: Date?, isSignInBlocked: Bool,
        isActiveSyncEnabled: Bool, createdAt: Date, deletedAt: Date?, licensesAtDeletion: [String]
    ) {
        self.id = id
        self.email = email
        self.aliases = aliases
        self.profile = profile
        self.licenses = licenses
        self.mailbox = mailbox
        self.mustChangePassword = mustChangePassword
        self.passwordChangedAt = passwordChangedAt
        self.isSignInBlocked = isSignInBlocked
        self.isActiveSyncEnabled = isActiveSyncEnabled
        self.createdAt = createdAt
        self.deletedAt = deletedAt
        self.licensesAtDeletion = licensesAtDeletion
    }

    public var isDeleted: Bool { deletedAt != nil }
}

/// Whether a user has a mailbox and whether it takes mail.
public enum MailboxState: Sendable, Hashable {
    /// Never licensed, or purged after the retention window.
    case none
    /// Licensed: mail accepted, sign-in possible.
    case active(MailboxID)
    /// The last license was removed at the given time: no mail, no sign-in; content kept for
    /// ``RetentionWindows/disabledMailbox``, reconnected if a license comes back in time.
    case disabled(MailboxID, since: Date)

    public var id: MailboxID? {
        switch self {
        case .none: nil
        case .active(let id), .disabled(let id, _): id
        }
    }

    public var isActive: Bool {
        if case .active = self { return true }
        return false
    }
}

/// How long the store keeps what the administrator removed (administrator's guide: 30 days).
public enum RetentionWindows {
    public static let restore: TimeInterval = 30 * 86_400
    public static let disabledMailbox: TimeInterval = 30 * 86_400
}

/// What the administrator gives when creating a user.
public struct NewUser: Sendable {
    public var email: EmailAddress
    public var profile: UserProfile
    public var passwordHash: String
    public var mustChangePassword: Bool
    public var licenses: [String]
    public var isSignInBlocked: Bool

    public init(
        email: EmailAddress, profile: UserProfile, passwordHash: String, mustChangePassword: Bool,
        licenses: [String] = [], isSignInBlocked: Bool = false
    ) {
        self.email = email
        self.profile = profile
        self.passwordHash = passwordHash
        self.mustChangePassword = mustChangePassword
        self.licenses = licenses
        self.isSignInBlocked = isSignInBlocked
    }
}

/// Which users a listing shows.
public enum UserFilter: Sendable {
    /// Live (not deleted) users.
    case live
    /// Live users holding no license.
    case unlicensed
    /// Soft-deleted users still restorable.
    case deleted
}

/// The outcome of `user restore`.
public struct RestoreReport: Sendable, Hashable {
    public var account: UserAccount
    /// Aliases the user had that someone else holds now: dropped, as the guide says.
    public var droppedAliases: [EmailAddress]

    public init(account: UserAccount, droppedAliases: [EmailAddress]) {
        self.account = account
        self.droppedAliases = droppedAliases
    }
}

/// The outcome of removing a license.
public struct LicenseRemoval: Sendable, Hashable {
    public var account: UserAccount
    /// True when that was the last license: the mailbox stopped taking mail and sign-ins.
    public var disabledMailbox: Bool

    public init(account: UserAccount, disabledMailbox: Bool) {
        self.account = account
        self.disabledMailbox = disabledMailbox
    }
}

/// What `purgeExpired` removed.
public struct PurgeReport: Sendable, Hashable {
    public var purgedUsers: [EmailAddress]
    public var purgedMailboxes: Int
    public init(purgedUsers: [EmailAddress] = [], purgedMailboxes: Int = 0) {
        self.purgedUsers = purgedUsers
        self.purgedMailboxes = purgedMailboxes
    }
}

/// What the sign-in gate needs to decide, read fresh from the store on every attempt so an
/// administrator's change (reset, block, license removal) takes effect at the next sign-in.
public struct StoredCredentials: Sendable, Hashable {
    public var userID: UserID
    public var email: EmailAddress
    public var passwordHash: String
    public var mustChangePassword: Bool
    public var passwordChangedAt: Date?
    public var isSignInBlocked: Bool
    public var isDeleted: Bool
    public var mailbox: MailboxState
    public var isActiveSyncEnabled: Bool

    public init(
        userID: UserID, email: EmailAddress, passwordHash: String, mustChangePassword: Bool,
        passwordChangedAt: Date?, isSignInBlocked: Bool, isDeleted: Bool, mailbox: MailboxState,
        isActiveSyncEnabled: Bool
    ) {
        self.userID = userID
        self.email = email
        self.passwordHash = passwordHash
        self.mustChangePassword = mustChangePassword
        self.passwordChangedAt = passwordChangedAt
        self.isSignInBlocked = isSignInBlocked
        self.isDeleted = isDeleted
        self.mailbox = mailbox
        self.isActiveSyncEnabled = isActiveSyncEnabled
    }
}
