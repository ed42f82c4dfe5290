public import Foundation
public import MailStore
public import MailStoreSQLite
public import MailgateCore

/// A real SQLite store in a temporary folder with a manual clock, for tests.
public struct StoreFixture: Sendable {
    public let directory: TemporaryDirectory
    public let clock: ManualClock
    public let store: SQLiteMailStore

    public init(clock: ManualClock = ManualClock()) throws {
        directory = TemporaryDirectory()
        self.clock = clock
        store = try SQLiteMailStore(directory: directory.path, clock: clock)
    }

    /// A second store object on the same file, as another process would open it.
    public func reopen() throws -> SQLiteMailStore { try SQLiteMailStore(directory: directory.path, clock: clock) }

    /// Adds a domain and an SKU with `licenses` licenses, then a licensed user per address.
    @discardableResult
    public func seed(domain: String = "example.test", sku: String = "P1", licenses: Int = 10, users: [String] = [])
        async throws -> [UserAccount]
    {
        if try await store.domain(domain) == nil { _ = try await store.addDomain(domain) }
        _ = try await store.addLicenses(sku: sku, count: licenses)
        var accounts: [UserAccount] = []
        for user in users {
            accounts.append(try await addUser(user, licenses: [sku]))
        }
        return accounts
    }

    /// Adds a user with a known password `Secret-Pass1` (fast test hash), not temporary.
    public func addUser(_ address: String, licenses: [String] = ["P1"], mustChange: Bool = false) async throws
        -> UserAccount
    {
        guard let email = EmailAddress(address) else { throw StoreRefusal.invalidAddress(address) }
        let hash = try PasswordHasher.forTesting.hash(Self.password)
        return try await store.createUser(
            NewUser(
                email: email, profile: UserProfile(displayName: email.localPart), passwordHash: hash,
                mustChangePassword: mustChange, licenses: licenses))
    }

    public static let password = Secret("Secret-Pass1")

    /// A small RFC 5322 message with CRLF line ends.
    public static func message(subject: String = "Hello", body: String = "Hi there.") -> Data {
        Data("From: a@sender.test\r\nTo: b@example.test\r\nSubject: \(subject)\r\n\r\n\(body)\r\n".utf8)
    }
}
