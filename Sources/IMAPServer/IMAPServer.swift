public import Logging
public import MailListener
public import MailStore
public import MailgateCore
public import NIOCore
public import NIOSSL
import Synchronization

/// Limits and knobs of the IMAP server.
public struct IMAPServerConfiguration: Sendable {
    /// RFC 7889 APPENDLIMIT: the largest message APPEND takes, in octets (also the literal limit).
    public var appendLimit: Int
    /// Open authenticated sessions one user may have at once.
    public var maximumSessionsPerUser: Int
    /// The wait before answering a wrong password.
    public var failedSignInDelay: Duration
    /// RFC 3501 5.4: the autologout timer, at least 30 minutes; IDLE's DONE counts as activity.
    public var autologout: TimeAmount
    /// The longest command line (literals excluded).
    public var maximumLineLength: Int
    /// Open connections per listener, in all and from one client address.
    public var maximumConnections: Int
    public var maximumConnectionsPerAddress: Int

    public init(
        appendLimit: Int = 36_700_160, maximumSessionsPerUser: Int = 20, failedSignInDelay: Duration = .seconds(2),
        autologout: TimeAmount = .minutes(30), maximumLineLength: Int = 65_536, maximumConnections: Int = 1000,
        maximumConnectionsPerAddress: Int = 100
    ) {
        self.maximumConnections = maximumConnections
        self.maximumConnectionsPerAddress = maximumConnectionsPerAddress
        self.appendLimit = appendLimit
        self.maximumSessionsPerUser = maximumSessionsPerUser
        self.failedSignInDelay = failedSignInDelay
        self.autologout = autologout
        self.maximumLineLength = maximumLineLength
    }
}

/// Why a listener cannot be made.
public enum IMAPServerError: Error, Sendable, CustomStringConvertible {
    /// Implicit TLS (`imap.tls_listen`) without TLS material.
    case tlsRequired(String)

    public var description: String {
        switch self {
        case .tlsRequired(let name): "\(name) needs TLS: set tls.certificate and tls.private_key"
        }
    }
}

/// The IMAP4rev1 server (RFC 3501 with the extensions listed in the CAPABILITY response): makes
/// listeners and runs one session per connection.
///
/// Sessions of all its listeners share the per-user session count. Thread-safe.
public final class IMAPServer: Sendable {
    let store: any MailStore
    let signIn: SignInGate
    let tls: NIOSSLContext?
    let clock: any MailgateClock
    let configuration: IMAPServerConfiguration
    let logger: Logger
    private let sessionsPerUser = Mutex<[UserID: Int]>([:])
    let folderIndexes = FolderIndexCache()
    let metrics = IMAPMetrics()

    public init(
        store: any MailStore, signIn: SignInGate, tls: NIOSSLContext?, clock: any MailgateClock = SystemClock(),
        configuration: IMAPServerConfiguration = .init(), logger: Logger
    ) {
        self.store = store
        self.signIn = signIn
        self.tls = tls
        self.clock = clock
        self.configuration = configuration
        folderIndexes.follow(store.changeFeed)
        self.logger = logger
    }

    /// A listener on `address`; with `implicitTLS` every connection starts with TLS (IMAPS),
    /// otherwise STARTTLS is offered when TLS is configured.
    /// - Throws: ``IMAPServerError/tlsRequired(_:)`` for implicit TLS without a TLS context.
    public func listener(name: String, address: HostPort, implicitTLS: Bool) throws(IMAPServerError) -> MailListener {
        if implicitTLS && tls == nil { throw .tlsRequired(name) }
        let limit = configuration.appendLimit
        let listenerConfiguration = MailListenerConfiguration(
            name: name, address: address, implicitTLS: implicitTLS ? tls : nil,
            maximumLineLength: configuration.maximumLineLength, maximumLiteralLength: limit,
            idleTimeout: configuration.autologout, maximumConnections: configuration.maximumConnections,
            maximumConnectionsPerAddress: configuration.maximumConnectionsPerAddress,
            refusalWhenBusy: "* BYE Too many connections; try again later\r\n",
            literalDecision: { line in IMAPCommandAssembler.literalDecision(line, maximum: limit) })
        return MailListener(configuration: listenerConfiguration, logger: logger) { connection in
            await self.serve(connection)
        }
    }

    /// Counts a session for `user`; false when the user already has the maximum.
    func register(_ user: UserID) -> Bool {
        sessionsPerUser.withLock { counts in
            guard counts[user, default: 0] < configuration.maximumSessionsPerUser else { return false }
            counts[user, default: 0] += 1
            return true
        }
    }

    func unregister(_ user: UserID) {
        sessionsPerUser.withLock { counts in
            counts[user, default: 1] -= 1
            if counts[user] == 0 { counts.removeValue(forKey: user) }
        }
    }
}
