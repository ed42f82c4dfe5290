public import Logging
public import MailListener
public import MailStore
public import MailgateCore
import Metrics
public import NIOCore
public import NIOSSL
import Synchronization

/// The POP3 service: what its listeners share (store, sign-in gate, TLS, maildrop locks).
///
/// Make one per process and ask it for a ``MailListener`` per configured address, so that the
/// plain and the implicit-TLS listener share the one-session-per-maildrop lock.
public final class POP3Server: Sendable {
    /// Limits and delays; the defaults are the production values.
    public struct Settings: Sendable {
        /// The pause before a failed sign-in is answered.
        public var failureDelay: Duration
        /// RFC 1939 3: the autologout timer is at least 10 minutes.
        public var idleTimeout: TimeAmount
        /// RFC 2449 4 caps commands at 255 octets; AUTH PLAIN responses (RFC 5034 4) may be
        /// longer, so lines up to this many octets are read, longer ones answered `-ERR`.
        public var maximumLineLength: Int
        public var maximumConnections: Int
        public var maximumConnectionsPerAddress: Int

        public init(
            failureDelay: Duration = .seconds(1), idleTimeout: TimeAmount = .minutes(10),
            maximumLineLength: Int = 2048, maximumConnections: Int = 1000, maximumConnectionsPerAddress: Int = 20
        ) {
            self.failureDelay = failureDelay
            self.idleTimeout = idleTimeout
            self.maximumLineLength = maximumLineLength
            self.maximumConnections = maximumConnections
            self.maximumConnectionsPerAddress = maximumConnectionsPerAddress
        }
    }

    /// Why a listener cannot be made.
    public enum ConfigurationError: Error, Sendable, CustomStringConvertible {
        case implicitTLSWithoutCertificate(listener: String)

        public var description: String {
            switch self {
            case .implicitTLSWithoutCertificate(let listener):
                "\(listener) needs TLS: set tls.certificate and tls.private_key, or remove \(listener)"
            }
        }
    }

    let store: any MailStore
    let signIn: SignInGate
    let tls: NIOSSLContext?
    let settings: Settings
    let logger: Logger
    let locks = MaildropLocks()
    let wireForms = WireFormCache()
    let metrics = POP3Metrics()

    /// - Parameters:
    ///   - tls: the server context; with it the plain listener offers STLS.
    public init(
        store: any MailStore, signIn: SignInGate, tls: NIOSSLContext?, settings: Settings = Settings(),
        logger: Logger
    ) {
        self.store = store
        self.signIn = signIn
        self.tls = tls
        self.settings = settings
        self.logger = logger
    }

    /// A listener on `address` (a Service to run), plain with STLS or with implicit TLS.
    /// - Throws: ``ConfigurationError`` for implicit TLS without a TLS context.
    public func listener(name: String, address: HostPort, implicitTLS: Bool) throws(ConfigurationError)
        -> MailListener
    {
        if implicitTLS && tls == nil { throw .implicitTLSWithoutCertificate(listener: name) }
        let configuration = MailListenerConfiguration(
            name: name, address: address, implicitTLS: implicitTLS ? tls : nil,
            maximumLineLength: settings.maximumLineLength, idleTimeout: settings.idleTimeout,
            maximumConnections: settings.maximumConnections,
            maximumConnectionsPerAddress: settings.maximumConnectionsPerAddress,
            refusalWhenBusy: "-ERR [SYS/TEMP] too many connections, try again later\r\n")
        var logger = self.logger
        logger[metadataKey: "listener"] = "\(name)"
        return MailListener(configuration: configuration, logger: logger) { [self, logger] connection in
            await POP3Connection(connection: connection, server: self, logger: logger).run()
        }
    }
}

/// RFC 2449 8.1.1 IN-USE: one session per maildrop, within this process.
final class MaildropLocks: Sendable {
    private let held = Mutex(Set<MailboxID>())

    /// Takes the lock; false if another session holds it.
    func acquire(_ mailbox: MailboxID) -> Bool { held.withLock { $0.insert(mailbox).inserted } }

    func release(_ mailbox: MailboxID) { _ = held.withLock { $0.remove(mailbox) } }

    /// No session holds a maildrop.
    var isEmpty: Bool { held.withLock { $0.isEmpty } }
}

/// The service's counters (Prometheus names).
struct POP3Metrics: Sendable {
    let sessions = Counter(label: "mailgate_pop3_sessions_total")
    let signInFailures = Counter(label: "mailgate_pop3_signin_failures_total")
    let messagesRetrieved = Counter(label: "mailgate_pop3_messages_retrieved_total")
    let messagesDeleted = Counter(label: "mailgate_pop3_messages_deleted_total")
    let bytesSent = Counter(label: "mailgate_pop3_bytes_sent_total")
}
