import DNSClient
public import Foundation
public import Logging
public import MailListener
public import MailStore
public import MailgateCore
import Metrics
public import NIOCore
public import NIOSSL
public import SPF

/// The SMTP ingress listener's driver: one ``SMTPSession`` per connection over ``MailConnection``.
///
/// Performs the session's actions: SPF through ``SPFEvaluator``, recipients and delivery through
/// ``MailStore`` (`deliver` returns only when durable, and concurrent sessions share a commit), TLS
/// through the listener. Time comes from the injected clock; the session time limit is checked at
/// each frame, and a silent client is ended by the listener's idle timeout, so a session lasts at
/// most `sessionTimeLimit` plus one idle timeout.
public struct SMTPServer: Sendable {
    public struct Configuration: Sendable {
        public var session: SMTPSession.Configuration
        /// The longest a session may run, in seconds (checked at each frame).
        public var sessionTimeLimit: TimeInterval

        public init(session: SMTPSession.Configuration, sessionTimeLimit: TimeInterval = 1800) {
            self.session = session
            self.sessionTimeLimit = sessionTimeLimit
        }

        /// From `smtp.*` and `hostname` in the configuration file.
        public init(config: MailgateConfig, settings: MailgateConfig.SMTPSettings, offersSTARTTLS: Bool) {
            self.init(
                session: SMTPSession.Configuration(
                    hostname: config.hostname, maximumMessageBytes: settings.maxMessageBytes,
                    maximumRecipients: settings.maxRecipients, spfFail: settings.spfFail,
                    spfPermerror: settings.spfPermerror, offersSTARTTLS: offersSTARTTLS))
        }
    }

    /// Framer bound for DATA lines: lenient past RFC 5321's 1000 octets (real mail has longer lines), but bounded.
    public static let maximumLineLength = 64 * 1024

    public let configuration: Configuration
    let store: any MailStore
    let spf: SPFEvaluator
    let tls: NIOSSLContext?
    let clock: any MailgateClock
    let logger: Logger

    public init(
        configuration: Configuration, store: any MailStore, spf: SPFEvaluator, tls: NIOSSLContext?,
        clock: any MailgateClock = SystemClock(), logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.spf = spf
        self.tls = tls
        self.clock = clock
        self.logger = logger
    }

    /// The listener configuration for `address`: line bound, RFC 5321 4.5.3.2.7's five-minute idle
    /// timeout (at least), and the 421 sent when the connection limits refuse a client.
    public static func listenerConfiguration(
        address: HostPort, idleTimeout: TimeAmount = .minutes(5), maximumConnections: Int = 1000,
        maximumConnectionsPerAddress: Int = 20
    ) -> MailListenerConfiguration {
        MailListenerConfiguration(
            name: "smtp.listen", address: address, maximumLineLength: maximumLineLength, idleTimeout: idleTimeout,
            maximumConnections: maximumConnections, maximumConnectionsPerAddress: maximumConnectionsPerAddress,
            refusalWhenBusy: "421 4.7.0 Too many connections, try again later\r\n")
    }

    /// Runs one session to its end; never throws (a broken connection just ends it).
    public func serve(_ connection: MailConnection) async {
        let sessionID = String(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF_FFFF, radix: 16)
        var logger = self.logger
        logger[metadataKey: "session_id"] = "\(sessionID)"
        logger[metadataKey: "client"] = "\(connection.remoteAddress)"
        SMTPMetrics.connections.increment()
        let started = clock.now
        var sessionConfiguration = configuration.session
        sessionConfiguration.offersSTARTTLS = tls != nil && !connection.isTLS
        var session = SMTPSession(configuration: sessionConfiguration, isTLS: connection.isTLS)
        let clientIP = IPAddress(connection.remoteAddress) ?? .v4(0)
        logger.debug("smtp session opened")
        do {
            var pending = session.handle(.connected)
            // Replies wait here while the rest of a pipelined batch is already read, so that the
            // batch's replies go out in one write. RFC 2920 3.2 asks servers to buffer the replies
            // to MAIL and RCPT and send them as a unit, flushing before they block on input: the
            // SPF check and recipient lookups in between are not input.
            var outbox = ByteBuffer()
            var spfFields: (result: SPFResult, fields: String)?
            // Bytes of a bulk frame the session did not take as data, read next as lines.
            var backlog = ByteBuffer()
            session: while true {
                while !pending.isEmpty {
                    let action = pending.removeFirst()
                    switch action {
                    case .send, .checkSPF, .resolveRecipient: break
                    case .startTLS, .deliver, .close:
                        guard outbox.readableBytes > 0 else { break }
                        try await connection.send(outbox)
                        outbox.clear()
                    }
                    switch action {
                    case .send(let reply):
                        if let reason = reply.reason, reply.code >= 400 {
                            SMTPMetrics.rejected(reason)
                            logger.info("smtp refused", metadata: ["reason": "\(reason)", "reply": "\(reply.code)"])
                        }
                        if case .startTLS = pending.first, let tls {
                            // The 220 and the TLS handler go in one step (see MailConnection.startTLS).
                            pending.removeFirst()
                            outbox.writeString(reply.encoded)
                            let replies = outbox
                            outbox.clear()
                            try await connection.startTLS(tls, sending: replies)
                            pending += session.handle(.tlsStarted)
                        } else {
                            outbox.writeString(reply.encoded)
                        }
                    case .checkSPF(let mailFrom, let helo):
                        // Loopback clients are checked too (no special case): a local relay must publish SPF like any other.
                        let result = await spf.evaluate(
                            ip: clientIP, mailFrom: mailFrom, helo: helo, receiver: configuration.session.hostname)
                        SMTPMetrics.spfResult(result.code)
                        logger.debug("spf checked", metadata: ["spf": "\(result.code.rawValue)"])
                        pending += session.handle(.spfChecked(result))
                    case .resolveRecipient(let address):
                        do {
                            pending += session.handle(.recipientResolved(try await store.resolveRecipient(address)))
                        } catch {
                            logger.error("recipient lookup failed", metadata: ["error": "\(error)"])
                            pending += session.handle(.recipientLookupFailed)
                        }
                    case .startTLS:
                        // Reached only when no 220 precedes it (the usual path pairs them above).
                        guard let tls else { break session }
                        try await connection.startTLS(tls, sending: ByteBuffer())
                        pending += session.handle(.tlsStarted)
                    case .deliver(let envelope, let body):
                        pending += session.handle(
                            await deliver(
                                envelope, body: body, clientIP: connection.remoteAddress, sessionID: sessionID,
                                spfFields: &spfFields, logger: logger))
                    case .close:
                        break session
                    }
                }
                // Held while the batch's next command is already here (RFC 2920 3.2).
                if outbox.readableBytes > 0 && !(connection.hasBufferedInput && outbox.readableBytes < 16 * 1024) {
                    try await connection.send(outbox)
                    outbox.clear()
                }
                let frame: InboundFrame
                if let line = Self.nextLine(from: &backlog) {
                    frame = line
                } else if let next = try await connection.next() {
                    frame = next
                } else {
                    break
                }
                if clock.now.timeIntervalSince(started) > configuration.sessionTimeLimit {
                    pending = session.handle(.sessionTimeLimit)
                    continue
                }
                switch frame {
                case .line(let buffer, let endsWithCRLF):
                    if session.isReadingData {
                        SMTPMetrics.receivedBytes.increment(by: Int64(buffer.readableBytes + 2))
                    }
                    pending = session.handle(.line(Array(buffer.readableBytesView), endsWithCRLF: endsWithCRLF))
                    // The framer reads the lines after DATA in bulk: if the session refused the
                    // DATA, commands follow instead.
                    if !session.isReadingData { connection.cancelBulkLines() }
                case .lines(var lines):
                    SMTPMetrics.receivedBytes.increment(by: Int64(lines.readableBytes))
                    let (actions, taken) = session.handleDataLines(lines)
                    pending = actions
                    lines.moveReaderIndex(forwardBy: taken)
                    // Lines after the end of the data are commands (the framer stops at the end, so
                    // this is only a safeguard): they go through the session one by one.
                    backlog.writeBuffer(&lines)
                case .lineTooLong: pending = session.handle(.lineTooLong)
                case .literal(let chunk):
                    SMTPMetrics.receivedBytes.increment(by: Int64(chunk.readableBytes))
                    pending = session.handle(.chunk(chunk))
                case .idleTimeout: pending = session.handle(.idleTimeout)
                case .shutdown: pending = session.handle(.shutdown)
                }
            }
        } catch {
            logger.debug("smtp session ended by the connection", metadata: ["error": "\(error)"])
        }
        logger.debug("smtp session closed")
        await connection.close()
    }

    /// What follows a command line, for the framer: the octets of a BDAT chunk (RFC 3030 2;
    /// dropped past `maximumChunk`), the lines of DATA, or more commands. A line the session
    /// refuses as too long (`maximumCommandLine`, with its CRLF) announces nothing.
    static func whatFollows(_ line: ByteBufferView, maximumCommandLine: Int, maximumChunk: Int) -> LiteralDecision {
        guard line.count + 2 <= maximumCommandLine else { return .none }
        if let size = SMTPCommandParser.announcedChunkSize(line) {
            return size <= maximumChunk ? .accept(size) : .discard(size)
        }
        guard line.count >= 4, line.count <= 16, case .success(.data) = SMTPCommandParser.parse(line) else {
            return .none
        }
        return .dotTerminatedData
    }

    /// The first line of `backlog` as a frame (a last fragment without LF counts as a line).
    static func nextLine(from backlog: inout ByteBuffer) -> InboundFrame? {
        guard backlog.readableBytes > 0 else { return nil }
        let view = backlog.readableBytesView
        let end = view.firstIndex(of: UInt8(ascii: "\n")) ?? view.endIndex
        let endsWithCRLF = end < view.endIndex && end > view.startIndex && view[end - 1] == UInt8(ascii: "\r")
        let length = end - view.startIndex
        let line = backlog.getSlice(at: backlog.readerIndex, length: endsWithCRLF ? length - 1 : length) ?? ByteBuffer()
        backlog.moveReaderIndex(forwardBy: min(length + 1, backlog.readableBytes))
        return .line(line, endsWithCRLF: endsWithCRLF)
    }

    /// Stores the message with its trace headers; the event says how it went.
    /// `spfFields` keeps the last verdict's SPF fields for the session's next message.
    func deliver(
        _ envelope: SMTPEnvelope, body: [UInt8], clientIP: String, sessionID: String,
        spfFields: inout (result: SPFResult, fields: String)?, logger: Logger
    ) async -> SMTPSession.Event {
        let now = clock.now
        var headers = ""
        if let spf = envelope.spf {
            if spfFields?.result != spf {
                spfFields = (spf, SMTPTraceHeaders.spfFields(spf, authservID: configuration.session.hostname))
            }
            headers = spfFields?.fields ?? ""
        }
        headers += SMTPTraceHeaders.receivedField(
            envelope,
            context: .init(
                hostname: configuration.session.hostname, clientIP: clientIP, sessionID: sessionID, date: now))
        var bytes = Data(headers.utf8)
        bytes.append(
            contentsOf: SMTPTraceHeaders.removingForgedResults(from: body, authservID: configuration.session.hostname))
        do {
            let results = try await store.deliver(
                IncomingMessage(bytes: bytes, internalDate: now), to: envelope.mailboxes)
            let failed = results.filter { if case .failure = $0 { true } else { false } }.count
            if failed < results.count {
                SMTPMetrics.accepted.increment()
                logger.info(
                    "smtp message stored",
                    metadata: [
                        "bytes": "\(bytes.count)", "mailboxes": "\(results.count - failed)",
                        "command": "\(envelope.isChunked ? "BDAT" : "DATA")",
                        "spf": "\(envelope.spf?.code.rawValue ?? "none")",
                    ])
            }
            if failed > 0 {
                // One reply per DATA: a mailbox that refused meanwhile (license removed between RCPT
                // and DATA) is only logged; there is no bounce system yet.
                for (mailbox, result) in zip(envelope.mailboxes, results) {
                    if case .failure(let refusal) = result {
                        logger.warning(
                            "mailbox refused the message after RCPT; not bounced",
                            metadata: ["mailbox_id": "\(mailbox)", "reason": "\(refusal)"])
                    }
                }
            }
            return .delivered(results)
        } catch {
            logger.error("delivery failed", metadata: ["error": "\(error)"])
            return .deliveryFailed
        }
    }
}

/// The listener's counters (Prometheus names, STYLE 5).
enum SMTPMetrics {
    static let connections = Counter(label: "mailgate_smtp_connections_total")
    static let accepted = Counter(label: "mailgate_smtp_messages_accepted_total")
    static let receivedBytes = Counter(label: "mailgate_smtp_received_bytes_total")

    static func rejected(_ reason: String) {
        Counter(label: "mailgate_smtp_rejected_total", dimensions: [("reason", reason)]).increment()
    }

    /// One counter per result, made once: looking a counter up by its labels costs more than
    /// counting, and this one counts every message.
    private static let spfResults = Dictionary(
        uniqueKeysWithValues: SPFResult.Code.allCases.map { code in
            (code, Counter(label: "mailgate_smtp_spf_results_total", dimensions: [("result", code.rawValue)]))
        })

    static func spfResult(_ code: SPFResult.Code) {
        spfResults[code]?.increment()
    }
}

extension MailListener {
    /// An SMTP ingress listener running `server`'s sessions.
    public static func smtp(
        _ server: SMTPServer, configuration: MailListenerConfiguration, logger: Logger
    ) -> MailListener {
        var configuration = configuration
        // The framer reads what follows DATA (in bulk) and BDAT (a counted chunk) by itself.
        let maximumChunk = server.configuration.session.maximumMessageBytes
        let maximumCommandLine = server.configuration.session.maximumCommandLineLength
        configuration.maximumLiteralLength = maximumChunk
        configuration.literalDecision = { line in
            SMTPServer.whatFollows(line, maximumCommandLine: maximumCommandLine, maximumChunk: maximumChunk)
        }
        return MailListener(configuration: configuration, logger: logger) { connection in
            await server.serve(connection)
        }
    }
}
