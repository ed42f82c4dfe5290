public import Foundation

/// Why a sign-in was refused. Reasons other than ``wrongCredentials`` and ``throttled`` are
/// given only to someone who knew the password, so they reveal nothing to a guesser.
public enum SignInRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    case wrongCredentials
    /// A temporary password: it must be changed on the account page before mail works.
    case temporaryPassword
    case passwordExpired(since: Date)
    /// No license, so no mailbox (or it is disabled).
    case noLicense
    case userDeleted
    /// The administrator blocked sign-in.
    case blocked
    /// Too many failures from this user name or this address; retry after the given seconds.
    case throttled(retryAfterSeconds: Int)
    /// The store could not be read; a temporary condition.
    case unavailable

    public var description: String {
        switch self {
        case .wrongCredentials: "wrong user name or password"
        case .temporaryPassword: "this is a temporary password: change it on the account page first"
        case .passwordExpired: "the password has expired: change it on the account page"
        case .noLicense: "no license: the account has no mailbox"
        case .userDeleted: "the account has been deleted"
        case .blocked: "sign-in is blocked for this account"
        case .throttled(let seconds): "too many failed sign-ins; try again in \(seconds) seconds"
        case .unavailable: "the service is temporarily unavailable"
        }
    }

    /// True for conditions the client may retry later without change (IMAP UNAVAILABLE, POP3 SYS/TEMP).
    public var isTemporary: Bool {
        switch self {
        case .throttled, .unavailable: true
        default: false
        }
    }
}

/// Where a sign-in comes from: the account page accepts temporary and expired passwords
/// (so they can be changed); every mail protocol refuses them.
public enum SignInService: String, Sendable, Hashable {
    case imap, pop3, submission, activeSync, autodiscover, accountPage
}

/// A sign-in that succeeded.
public struct SignInGrant: Sendable, Hashable {
    public var userID: UserID
    public var email: EmailAddress
    /// Nil only for account-page sign-ins of users without a mailbox.
    public var mailbox: MailboxID?
    public var mustChangePassword: Bool
    public var passwordExpiresAt: Date?
    /// Whole days left before expiry, set only inside the warning window (IMAP `[ALERT]`).
    public var expiryWarningDays: Int?
}
