/// The gateway's configuration, validated: every listener address parsed, every path absolute.
///
/// Built by ``MailgateConfigLoader`` from the YAML file of INTERFACE.md with environment
/// overrides. A listener whose key is absent is `nil` and is not started.
public struct MailgateConfig: Sendable, Equatable {
    /// The configuration file this was read from (absolute).
    public var configFile: String
    /// The greeting name, advertised by Autodiscover.
    public var hostname: String
    /// Base of published calendar URLs and of links in notices.
    public var publicURL: String
    /// The folder of the SQLite store and its side files (absolute).
    public var dataDirectory: String
    public var tls: TLSSettings?
    public var dns: DNSSettings
    public var smtp: SMTPSettings?
    public var submission: ListenerPair
    public var imap: ListenerPair
    public var pop3: ListenerPair
    public var outbound: OutboundSettings?
    public var http: ListenerPair
    public var limits: LimitSettings
    public var log: LogSettings

    /// TLS material for every listener that speaks TLS.
    public struct TLSSettings: Sendable, Equatable {
        public var certificatePath: String
        public var privateKeyPath: String
        /// Extension of INTERFACE.md (`tls.dev_certificates`): when the files are missing, make a
        /// development CA and server certificate there instead of refusing to start.
        public var generatesDevelopmentCertificates: Bool
    }

    /// The DNS resolver used by SPF and `domain verify`.
    public struct DNSSettings: Sendable, Equatable {
        public enum Resolver: Sendable, Equatable {
            /// The servers in /etc/resolv.conf.
            case system
            case server(HostPort)
        }
        public var resolver: Resolver
        public var timeoutSeconds: Double
    }

    /// What to do with a message whose SPF check gave a given result.
    public enum SPFAction: String, Sendable, Equatable {
        case reject, tag
    }

    public struct SMTPSettings: Sendable, Equatable {
        public var listen: HostPort
        public var maxMessageBytes: Int
        public var maxRecipients: Int
        public var spfFail: SPFAction
        public var spfPermerror: SPFAction
    }

    /// A protocol's plain (or STARTTLS) listener and its implicit-TLS listener; either may be absent.
    public struct ListenerPair: Sendable, Equatable {
        public var listen: HostPort?
        public var tlsListen: HostPort?
        public init(listen: HostPort? = nil, tlsListen: HostPort? = nil) {
            self.listen = listen
            self.tlsListen = tlsListen
        }
    }

    public struct OutboundSettings: Sendable, Equatable {
        public var smarthost: HostPort?
        public var firstRetrySeconds: Int
        public var giveUpHours: Int
    }

    /// Extension of INTERFACE.md (`limits.*`): connection limits of each SMTP, IMAP and POP3
    /// listener, and the IMAP sessions one user may hold open.
    public struct LimitSettings: Sendable, Equatable {
        /// Open connections per listener.
        public var maxConnections: Int
        /// Open connections per listener from one client address (an office behind one NAT
        /// address counts once, hence the generous default).
        public var maxConnectionsPerAddress: Int
        /// Signed-in IMAP sessions per user, over both IMAP listeners.
        public var maxSessionsPerUser: Int

        public init(maxConnections: Int = 1000, maxConnectionsPerAddress: Int = 100, maxSessionsPerUser: Int = 20) {
            self.maxConnections = maxConnections
            self.maxConnectionsPerAddress = maxConnectionsPerAddress
            self.maxSessionsPerUser = maxSessionsPerUser
        }
    }

    /// Extension of INTERFACE.md (`log.level`): trace, debug, info, notice, warning, error, critical.
    public struct LogSettings: Sendable, Equatable {
        public var level: String
    }
}
