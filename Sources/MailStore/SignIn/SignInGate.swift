import Crypto
public import Foundation
public import MailgateCore
public import NIOPosix
import Synchronization

/// The one place that decides whether a sign-in is allowed, and why not.
///
/// Order of checks: throttling (before any hashing, so a flood costs no CPU), the password
/// (a slow scrypt on a thread pool, or a cached earlier success), then, only for someone who
/// knew the password, the account's state: deleted, blocked, no license, temporary password,
/// expired password. Unknown users cost the same hashing as known ones.
///
/// Successful verifications are cached for ``cacheLifetime`` so that protocols signing in on
/// every request (ActiveSync) stay fast. An entry is keyed by the stored hash: a password
/// change or reset, in this process or another, misses at once; ``forget(_:)`` also drops it.
public final class SignInGate: Sendable {
    private let store: any MailStore
    private let clock: any MailgateClock
    private let hasher: PasswordHasher
    private let threadPool: NIOThreadPool
    public let cacheLifetime: TimeInterval

    private struct CacheEntry {
        var storedHash: String
        var digest: [UInt8]
        var expiresAt: Date
    }
    /// One slow verification, shared by every sign-in that asks the same question meanwhile.
    private struct Question: Hashable {
        var user: UserID
        var storedHash: String
        var digest: [UInt8]
    }
    private struct State {
        var throttle: SignInThrottle
        var cache: [UserID: CacheEntry] = [:]
        var inFlight: [Question: Task<Bool, Never>] = [:]
    }
    private let state: Mutex<State>
    /// Keys the cached password digests, so a memory dump of the cache gives no password hashes
    /// usable elsewhere; new each process.
    private let cacheKey = SymmetricKey(size: .bits256)
    /// A hash to verify against when the user does not exist, so timing does not tell.
    private let decoyHash: String

    public init(
        store: any MailStore, clock: any MailgateClock, hasher: PasswordHasher, threadPool: NIOThreadPool,
        throttleLimits: SignInThrottle.Limits = .init(), cacheLifetime: TimeInterval = 300
    ) {
        self.store = store
        self.clock = clock
        self.hasher = hasher
        self.threadPool = threadPool
        self.cacheLifetime = cacheLifetime
        self.state = Mutex(State(throttle: SignInThrottle(limits: throttleLimits)))
        self.decoyHash = (try? hasher.hash(Secret(UUID().uuidString))) ?? ""
    }

    /// Decides a sign-in.
    /// - Parameters:
    ///   - login: the address typed as user name (primary address or alias).
    ///   - source: the client's IP address, for per-source throttling; nil for local tools.
    public func signIn(_ login: String, password: Secret, from source: String?, service: SignInService) async
        -> Result<SignInGrant, SignInRefusal>
    {
        let now = clock.now
        if let wait = state.withLock({ $0.throttle.retryAfter(login: login, source: source, now: now) }) {
            return .failure(.throttled(retryAfterSeconds: wait))
        }
        let credentials: StoredCredentials?
        do {
            credentials = try await EmailAddress(login).asyncMap { try await store.credentials(for: $0) } ?? nil
        } catch {
            return .failure(.unavailable)
        }
        guard let credentials, await passwordMatches(password, credentials: credentials) else {
            if credentials == nil { _ = await verifySlowly(password, against: decoyHash) }
            state.withLock { $0.throttle.recordFailure(login: login, source: source, now: now) }
            return .failure(.wrongCredentials)
        }
        state.withLock { $0.throttle.recordSuccess(login: login) }
        let policy: PasswordExpiryPolicy
        do {
            policy = try await store.settings().passwordExpiry
        } catch {
            return .failure(.unavailable)
        }
        return Self.decide(credentials, policy: policy, service: service, now: now)
    }

    /// Drops any cached verification of the user (their account changed).
    public func forget(_ user: UserID) {
        _ = state.withLock { $0.cache.removeValue(forKey: user) }
    }

    /// The password expiry of a user, as the policy sets it; nil for a temporary password.
    public static func expiry(of credentials: StoredCredentials, policy: PasswordExpiryPolicy) -> Date? {
        guard !credentials.mustChangePassword, let changed = credentials.passwordChangedAt else { return nil }
        return changed.addingTimeInterval(TimeInterval(policy.expireDays) * 86_400)
    }

    /// The account-state part of the decision, for someone who knew the password.
    static func decide(
        _ credentials: StoredCredentials, policy: PasswordExpiryPolicy, service: SignInService, now: Date
    ) -> Result<SignInGrant, SignInRefusal> {
        if credentials.isDeleted { return .failure(.userDeleted) }
        if credentials.isSignInBlocked { return .failure(.blocked) }
        // The account page takes temporary and expired passwords: it is where they are changed.
        let isAccountPage = service == .accountPage
        let mailbox: MailboxID?
        if case .active(let id) = credentials.mailbox {
            mailbox = id
        } else if isAccountPage {
            mailbox = nil
        } else {
            return .failure(.noLicense)
        }
        if credentials.mustChangePassword && !isAccountPage { return .failure(.temporaryPassword) }
        let expiresAt = expiry(of: credentials, policy: policy)
        var warningDays: Int?
        if let expiresAt {
            let left = expiresAt.timeIntervalSince(now)
            if left <= 0 && !isAccountPage { return .failure(.passwordExpired(since: expiresAt)) }
            if left <= TimeInterval(policy.notifyDays) * 86_400 {
                warningDays = max(0, Int((left / 86_400).rounded(.up)))
            }
        }
        return .success(
            SignInGrant(
                userID: credentials.userID, email: credentials.email, mailbox: mailbox,
                mustChangePassword: credentials.mustChangePassword, passwordExpiresAt: expiresAt,
                expiryWarningDays: warningDays))
    }

    private func passwordMatches(_ password: Secret, credentials: StoredCredentials) async -> Bool {
        let digest = Array(HMAC<SHA256>.authenticationCode(for: Array(password.exposedValue.utf8), using: cacheKey))
        let now = clock.now
        let cached = state.withLock { state -> Bool in
            guard let entry = state.cache[credentials.userID] else { return false }
            guard entry.storedHash == credentials.passwordHash, entry.expiresAt > now else {
                state.cache.removeValue(forKey: credentials.userID)
                return false
            }
            return PasswordHasher.constantTimeEqual(entry.digest, digest)
        }
        if cached { return true }
        // A phone or a mail client often opens several connections at once: they wait for one
        // scrypt run instead of each starting their own.
        let question = Question(user: credentials.userID, storedHash: credentials.passwordHash, digest: digest)
        let verification = state.withLock { state in
            if let running = state.inFlight[question] { return running }
            let hash = credentials.passwordHash
            let task = Task { await self.verifySlowly(password, against: hash) }
            state.inFlight[question] = task
            return task
        }
        let matches = await verification.value
        state.withLock { state in
            state.inFlight.removeValue(forKey: question)
            if matches {
                state.cache[credentials.userID] = CacheEntry(
                    storedHash: credentials.passwordHash, digest: digest,
                    expiresAt: now.addingTimeInterval(cacheLifetime))
            }
        }
        return matches
    }

    private func verifySlowly(_ password: Secret, against hash: String) async -> Bool {
        let hasher = self.hasher
        return (try? await threadPool.runIfActive { hasher.verify(password, against: hash) }) ?? false
    }
}

extension Optional {
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
