import Foundation
import MailStore
import MailgateCore

/// The organisation every benchmark run uses: one domain, one SKU and licensed users
/// `user0@bench.test`, `user1@bench.test`, ...
enum BenchDirectory {
    static let domain = "bench.test"
    static let sku = "BENCH"
    static let password = Secret("Bench-Pass-1")

    static func address(_ index: Int) -> EmailAddress? { EmailAddress("user\(index)@\(domain)") }

    /// Adds whatever of the domain, licenses and `users` users is missing and returns the users'
    /// mailboxes, in order. Safe to call on a store a previous run seeded.
    ///
    /// - Parameter passwordHash: the users' hash; by default a cheap one (the benchmarks that
    ///   sign in pass a production hash), so that seeding 64 users takes no minute of scrypt.
    static func seed(_ store: any MailStore, users: Int, passwordHash: String? = nil) async throws -> [MailboxID] {
        if try await store.domain(domain) == nil { _ = try await store.addDomain(domain) }
        let total = try await store.licenses().first { $0.sku == sku }?.total ?? 0
        if total < users { _ = try await store.addLicenses(sku: sku, count: users - total) }
        let hash = try passwordHash ?? PasswordHasher.forTesting.hash(password)
        var mailboxes: [MailboxID] = []
        for index in 0..<users {
            guard let email = address(index) else { throw BenchError("user\(index)@\(domain) is not an address") }
            var account = try await store.user(email)
            if account == nil {
                account = try await store.createUser(
                    NewUser(
                        email: email, profile: UserProfile(displayName: "Bench User \(index)"), passwordHash: hash,
                        mustChangePassword: false, licenses: [sku]))
            }
            guard case .active(let mailbox) = account?.mailbox else {
                throw BenchError("\(email) has no active mailbox")
            }
            mailboxes.append(mailbox)
        }
        return mailboxes
    }
}

/// A benchmark precondition that failed, with the reason for the operator.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
