public import MailgateCore
public import NIOCore
public import NIOSSL

/// How a mail listener binds and what it allows.
public struct MailListenerConfiguration: Sendable {
    /// Config key this listener comes from, for logs (`imap.tls_listen`).
    public var name: String
    public var address: HostPort
    /// Implicit TLS (IMAPS, POP3S); nil for a plain listener that may offer STARTTLS.
    public var implicitTLS: NIOSSLContext?
    public var maximumLineLength: Int
    public var maximumLiteralLength: Int
    /// Closes a session after this long without input (it gets an ``InboundFrame/idleTimeout`` first).
    public var idleTimeout: TimeAmount
    public var maximumConnections: Int
    public var maximumConnectionsPerAddress: Int
    /// Sent, then the connection closed, when a limit refuses a connection (SMTP `421 ...`).
    public var refusalWhenBusy: String
    /// Asked at the end of each line whether a literal follows (IMAP); nil for no literals.
    public var literalDecision: (@Sendable (ByteBufferView) -> LiteralDecision)?

    public init(
        name: String, address: HostPort, implicitTLS: NIOSSLContext? = nil, maximumLineLength: Int = 8192,
        maximumLiteralLength: Int = 0, idleTimeout: TimeAmount = .minutes(10), maximumConnections: Int = 1000,
        maximumConnectionsPerAddress: Int = 50, refusalWhenBusy: String,
        literalDecision: (@Sendable (ByteBufferView) -> LiteralDecision)? = nil
    ) {
        self.name = name
        self.address = address
        self.implicitTLS = implicitTLS
        self.maximumLineLength = maximumLineLength
        self.maximumLiteralLength = maximumLiteralLength
        self.idleTimeout = idleTimeout
        self.maximumConnections = maximumConnections
        self.maximumConnectionsPerAddress = maximumConnectionsPerAddress
        self.refusalWhenBusy = refusalWhenBusy
        self.literalDecision = literalDecision
    }
}
