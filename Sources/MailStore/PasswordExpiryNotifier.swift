import Foundation
public import MailgateCore

/// Delivers the "your password expires on ..." notice, once per password, to each user who has
/// entered the warning window (``PasswordExpiryPolicy/notifyDays`` before expiry).
///
/// Safe to run from several processes: the store delivers a notice only if none was sent for
/// the user's current password, in the same transaction.
public struct PasswordExpiryNotifier: Sendable {
    let store: any MailStore
    let clock: any MailgateClock
    /// Who the notice comes from (`postmaster@` the gateway's host name).
    let senderHost: String
    /// Where the user changes the password.
    let accountPageURL: String

    public init(store: any MailStore, clock: any MailgateClock, senderHost: String, accountPageURL: String) {
        self.store = store
        self.clock = clock
        self.senderHost = senderHost
        self.accountPageURL = accountPageURL
    }

    /// Sends the notices due now; returns how many were delivered.
    @discardableResult
    public func sendDueNotices() async throws -> Int {
        let now = clock.now
        let policy = try await store.settings().passwordExpiry
        var sent = 0
        for user in try await store.users(.live) where user.mailbox.isActive && !user.mustChangePassword {
            guard let changedAt = user.passwordChangedAt else { continue }
            let expiresAt = changedAt.addingTimeInterval(TimeInterval(policy.expireDays) * 86_400)
            let warningStarts = expiresAt.addingTimeInterval(-TimeInterval(policy.notifyDays) * 86_400)
            guard now >= warningStarts, now < expiresAt else { continue }
            let message = IncomingMessage(bytes: notice(for: user, expiresAt: expiresAt, now: now), internalDate: now)
            if try await store.deliverPasswordNotice(message, to: user.id, passwordChangedAt: changedAt) { sent += 1 }
        }
        return sent
    }

    /// The notice as an RFC 5322 message in plain UTF-8 text.
    func notice(for user: UserAccount, expiresAt: Date, now: Date) -> Data {
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "EEEE d MMMM yyyy 'at' HH:mm 'UTC'"
        let header = DateFormatter()
        header.locale = Locale(identifier: "en_US_POSIX")
        header.timeZone = TimeZone(identifier: "UTC")
        header.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let expiry = day.string(from: expiresAt)
        let lines = [
            "Date: \(header.string(from: now))",
            "From: Mailgate <postmaster@\(senderHost)>",
            "To: \(user.email)",
            "Subject: Your password expires on \(expiry)",
            "Message-ID: <password-expiry.\(user.id).\(Int(now.timeIntervalSince1970))@\(senderHost)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
            "Hello \(user.profile.displayName),",
            "",
            "the password of \(user.email) expires on \(expiry).",
            "After that, mail programs and phones cannot sign in until it is changed.",
            "",
            "Change it now on your account page: \(accountPageURL)",
            "or ask your administrator to reset it.",
            "",
            "After the change, enter the new password in every mail program and phone you use.",
        ]
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }
}
