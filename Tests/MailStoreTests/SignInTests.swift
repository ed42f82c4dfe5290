import Foundation
import MailStore
import MailStoreSQLite
import MailgateCore
import MailgateTesting
import NIOPosix
import Testing

@Suite("Sign-in: one place decides, with reasons")
struct SignInTests {
    let fixture: StoreFixture
    let gate: SignInGate
    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        return pool
    }()

    init() throws {
        fixture = try StoreFixture()
        gate = SignInGate(
            store: fixture.store, clock: fixture.clock, hasher: .forTesting, threadPool: Self.pool,
            throttleLimits: .init(window: 900, perUser: 3, perSource: 5))
    }

    func signIn(
        _ login: String, _ password: Secret = StoreFixture.password, from source: String? = "192.0.2.1",
        service: SignInService = .imap
    ) async -> Result<SignInGrant, SignInRefusal> {
        await gate.signIn(login, password: password, from: source, service: service)
    }

    @Test("A licensed user with the right password signs in, also by alias")
    func success() async throws {
        let ann = try #require(try await fixture.seed(users: ["ann@example.test"]).first)
        let grant = try await signIn("Ann@Example.test").get()
        #expect(grant.userID == ann.id && grant.mailbox == ann.mailbox.id && grant.expiryWarningDays == nil)
        _ = try await fixture.store.addAlias(try #require(EmailAddress("a@example.test")), to: ann.email)
        #expect(try await signIn("a@example.test").get().userID == ann.id)
    }

    @Test("Concurrent sign-ins share a verification only when they ask the same question")
    func concurrentSignIns() async throws {
        try await fixture.seed(users: ["ann@example.test"])
        let gate = SignInGate(
            store: fixture.store, clock: fixture.clock, hasher: .forTesting, threadPool: Self.pool)
        let outcomes = await withTaskGroup(of: (Bool, Bool).self) { group in
            for index in 0..<12 {
                let right = index.isMultiple(of: 3)
                group.addTask {
                    let password = right ? StoreFixture.password : Secret("Wrong-pass-\(index % 2)")
                    let result = await gate.signIn("ann@example.test", password: password, from: nil, service: .imap)
                    return (right, (try? result.get()) != nil)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.count == 12)
        #expect(outcomes.allSatisfy { right, granted in right == granted })
    }

    @Test("Wrong password and unknown user give the same answer")
    func wrongPassword() async throws {
        try await fixture.seed(users: ["ann@example.test"])
        #expect(await signIn("ann@example.test", Secret("nope")) == .failure(.wrongCredentials))
        #expect(await signIn("nobody@example.test") == .failure(.wrongCredentials))
        #expect(await signIn("not an address") == .failure(.wrongCredentials))
    }

    @Test("Reasons for someone who knew the password: temporary, blocked, no license, deleted")
    func reasons() async throws {
        try await fixture.seed(users: ["ann@example.test"])
        _ = try await fixture.addUser("tmp@example.test", mustChange: true)
        #expect(await signIn("tmp@example.test") == .failure(.temporaryPassword))
        // The account page is where a temporary password is changed: it is let in.
        #expect(try await signIn("tmp@example.test", service: .accountPage).get().mustChangePassword)

        let ann = try #require(EmailAddress("ann@example.test"))
        _ = try await fixture.store.setSignInBlocked(ann, true)
        #expect(await signIn("ann@example.test") == .failure(.blocked))
        _ = try await fixture.store.setSignInBlocked(ann, false)
        _ = try await fixture.store.removeLicense("P1", from: ann)
        #expect(await signIn("ann@example.test") == .failure(.noLicense))
        _ = try await fixture.store.deleteUser(ann)
        #expect(await signIn("ann@example.test") == .failure(.userDeleted))
    }

    @Test("Expiry: warned within 14 days, refused after 90, the account page still lets the user in")
    func expiry() async throws {
        try await fixture.seed(users: ["ann@example.test"])
        fixture.clock.advance(days: 80)
        #expect(try await signIn("ann@example.test").get().expiryWarningDays == 10)
        fixture.clock.advance(days: 10.5)
        guard case .failure(.passwordExpired) = await signIn("ann@example.test") else {
            Issue.record("expired password accepted")
            return
        }
        #expect(try await signIn("ann@example.test", service: .accountPage).get().passwordExpiresAt != nil)
    }

    @Test("Repeated failures are throttled per user and per source")
    func throttling() async throws {
        try await fixture.seed(users: ["ann@example.test", "bob@example.test"])
        for _ in 0..<3 { _ = await signIn("ann@example.test", Secret("bad"), from: "192.0.2.7") }
        guard case .failure(.throttled(let wait)) = await signIn("ann@example.test", from: "192.0.2.8") else {
            Issue.record("user not throttled")
            return
        }
        #expect(wait > 0 && wait <= 900)
        // Another user from another source is unaffected.
        #expect(try await signIn("bob@example.test", from: "192.0.2.9").get().email.description == "bob@example.test")
        // A source guessing many users is stopped too.
        for index in 0..<5 { _ = await signIn("u\(index)@example.test", Secret("bad"), from: "198.51.100.1") }
        guard case .failure(.throttled) = await signIn("bob@example.test", from: "198.51.100.1") else {
            Issue.record("source not throttled")
            return
        }
        fixture.clock.advance(by: 901)
        #expect((try? await signIn("ann@example.test").get()) != nil)
    }

    @Test("A reset password fails at once, even where a success was cached")
    func cacheForgetsChangedPassword() async throws {
        let ann = try #require(try await fixture.seed(users: ["ann@example.test"]).first)
        #expect((try? await signIn("ann@example.test").get()) != nil)
        #expect((try? await signIn("ann@example.test").get()) != nil)  // cached
        let newHash = try PasswordHasher.forTesting.hash(Secret("Other-Pass2"))
        _ = try await fixture.store.setPassword(of: ann.email, hash: newHash, mustChange: false)
        #expect(await signIn("ann@example.test") == .failure(.wrongCredentials))
        #expect((try? await signIn("ann@example.test", Secret("Other-Pass2")).get()) != nil)
    }
}

@Suite("Passwords: scrypt hashes and the organisation's rules")
struct PasswordTests {
    let ann = EmailAddress("annabel@example.test")!

    @Test("A hash verifies its password only, and carries its parameters")
    func hashVerify() throws {
        let hasher = PasswordHasher.forTesting
        let hash = try hasher.hash(Secret("Correct-Horse9"))
        #expect(hash.hasPrefix("$scrypt$ln=4,r=1,p=1$"))
        #expect(hasher.verify(Secret("Correct-Horse9"), against: hash))
        #expect(!hasher.verify(Secret("Correct-Horse8"), against: hash))
        #expect(try hasher.hash(Secret("Correct-Horse9")) != hash)  // salted
        // Another hasher's parameters are read from the hash.
        #expect(PasswordHasher(logN: 5).verify(Secret("Correct-Horse9"), against: hash))
    }

    @Test(
        "Malformed or hostile hashes verify nothing",
        arguments: [
            "", "$scrypt$", "$scrypt$ln=40,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAA", "$bcrypt$x$y$z",
            "$scrypt$ln=4,r=1,p=1$!!!$AAAA",
        ])
    func malformed(hash: String) {
        #expect(!PasswordHasher.forTesting.verify(Secret("x"), against: hash))
    }

    @Test(
        "Each rule is named",
        arguments: [
            ("Sh0rt!", PasswordRules.Violation.tooShort),
            ("no-upper-case-1", .missingUppercase),
            ("NO-LOWER-CASE-1", .missingLowercase),
            ("NoDigitsOrSymbols", .missingDigitOrSymbol),
            ("With Space 1a", .containsWhitespace),
            ("Annabel-Pass1", .containsUserName),
        ])
    func rules(password: String, violation: PasswordRules.Violation) {
        #expect(PasswordRules.violation(of: Secret(password), for: ann) == violation)
    }

    @Test("Long passphrases are allowed; generated temporary passwords keep the rules")
    func passphrasesAndTemporary() {
        #expect(PasswordRules.violation(of: Secret("Tr0ub4dor-and-a-much-longer-passphrase"), for: ann) == nil)
        for _ in 0..<100 {
            #expect(PasswordRules.violation(of: PasswordRules.temporaryPassword(for: ann), for: ann) == nil)
        }
    }

    @Test("Secrets never print")
    func secretRedacted() {
        let secret = Secret("hunter2-Hunter")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        #expect(!"\([secret])".contains("hunter2"))
    }
}
