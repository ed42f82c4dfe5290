import MailStore
import MailgateCore

/// Password handling shared by `user add`, `user import` and `user password`.
enum Passwords {
    struct Credential: Sendable {
        var hash: String
        /// The generated temporary password, to print once; nil when the administrator gave one.
        var temporary: Secret?
        var isTemporary: Bool { temporary != nil }
    }

    /// Checks a given password against the rules, or makes a temporary one, and hashes it.
    static func credential(for address: EmailAddress, given: Secret?, hasher: PasswordHasher = PasswordHasher())
        throws -> Credential
    {
        if let given {
            if let violation = PasswordRules.violation(of: given, for: address) {
                throw RefusedOperation(violation.description)
            }
            return Credential(hash: try hasher.hash(given), temporary: nil)
        }
        let temporary = PasswordRules.temporaryPassword(for: address)
        return Credential(hash: try hasher.hash(temporary), temporary: temporary)
    }
}
