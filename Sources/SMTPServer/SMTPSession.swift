public import MailStore
public import MailgateCore
public import NIOCore
public import SPF

/// One SMTP conversation on the MX-facing port (RFC 5321), free of I/O: events in, actions out.
///
/// The driver (``SMTPServer``) reads frames, feeds them here, and performs the actions in order:
/// send a reply, check SPF, resolve a recipient, start TLS, deliver, close. An action that asks
/// for something (SPF, a recipient, a delivery, TLS) is answered by the matching event before
/// the next line is fed, so pipelined commands (RFC 2920) are answered strictly in order.
public struct SMTPSession: Sendable {
    /// What the session allows and advertises.
    public struct Configuration: Sendable {
        /// The name in the greeting, EHLO reply and trace headers.
        public var hostname: String
        /// RFC 1870 SIZE: the largest message accepted, in octets (as received, before trace headers).
        public var maximumMessageBytes: Int
        /// Recipients per transaction; more get 452 4.5.3 (RFC 5321 4.5.3.1.8 asks for at least 100).
        public var maximumRecipients: Int
        public var spfFail: MailgateConfig.SPFAction
        public var spfPermerror: MailgateConfig.SPFAction
        /// STARTTLS is advertised (a TLS context exists and the connection is not yet TLS).
        public var offersSTARTTLS: Bool
        /// RFC 5321 4.5.3.1.4: a command line is at most 512 octets with its CRLF.
        public var maximumCommandLineLength: Int
        /// Commands refused in a row before the session is ended (421 4.7.0).
        public var maximumErrors: Int

        public init(
            hostname: String, maximumMessageBytes: Int, maximumRecipients: Int,
            spfFail: MailgateConfig.SPFAction = .reject, spfPermerror: MailgateConfig.SPFAction = .tag,
            offersSTARTTLS: Bool = false, maximumCommandLineLength: Int = 512, maximumErrors: Int = 20
        ) {
            self.hostname = hostname
            self.maximumMessageBytes = maximumMessageBytes
            self.maximumRecipients = maximumRecipients
            self.spfFail = spfFail
            self.spfPermerror = spfPermerror
            self.offersSTARTTLS = offersSTARTTLS
            self.maximumCommandLineLength = maximumCommandLineLength
            self.maximumErrors = maximumErrors
        }
    }

    public enum Event: Sendable {
        /// The connection is open: send the greeting.
        case connected
        /// A line without its line end (a command, or a DATA line).
        case line([UInt8], endsWithCRLF: Bool)
        /// The framer dropped a line over its bound.
        case lineTooLong
        /// The octets after a `BDAT size` line (RFC 3030 2).
        case chunk(ByteBuffer)
        case spfChecked(SPFResult)
        case recipientResolved(RecipientResolution)
        case recipientLookupFailed
        case tlsStarted
        case delivered([Result<MessageUID, StoreRefusal>])
        case deliveryFailed
        case idleTimeout
        case sessionTimeLimit
        case shutdown
    }

    public enum Action: Sendable, Equatable {
        case send(SMTPReply)
        /// Check SPF for the MAIL FROM (empty: the HELO identity, RFC 7208 2.4).
        case checkSPF(mailFrom: String, helo: String)
        case resolveRecipient(EmailAddress)
        /// Put TLS in front, dropping every byte sent before (RFC 3207 4.2); answer `.tlsStarted`.
        case startTLS
        /// Store `body` (CRLF, unstuffed) with trace headers in `envelope.mailboxes`; answer `.delivered`.
        case deliver(SMTPEnvelope, body: [UInt8])
        case close
    }

    private enum Phase: Sendable {
        case command
        case checkingSPF(SMTPMailbox?, SMTPCommand.MailParameters)
        case resolvingRecipient(SMTPMailbox)
        case data(SMTPDataReader)
        /// A BDAT was accepted: its octets come next, as one `.chunk`.
        case receivingChunk(size: Int, last: Bool)
        case delivering
        case startingTLS
        case closed
    }

    public let configuration: Configuration
    private var phase = Phase.command
    private var hello: (name: String, isExtended: Bool)?
    private var transaction: SMTPEnvelope? {
        didSet { if transaction == nil { chunks = nil } }
    }
    /// The message of a BDAT transaction so far; nil when no chunk came yet.
    private var chunks: SMTPChunkedMessage?
    /// A BDAT transaction was just refused: until the next other command, the chunks that follow
    /// are the client's pipelined rest of it.
    private var chunksRefused = false
    private var errors = 0
    /// TLS is on (implicit, or after STARTTLS).
    public private(set) var isTLS: Bool

    public init(configuration: Configuration, isTLS: Bool = false) {
        self.configuration = configuration
        self.isTLS = isTLS
    }

    /// True while DATA lines are being read (for the driver's byte metrics).
    public var isReadingData: Bool {
        if case .data = phase { return true }
        return false
    }

    public mutating func handle(_ event: Event) -> [Action] {
        if case .data = phase, case .line(let bytes, let endsWithCRLF) = event {
            return addDataLine(bytes, endsWithCRLF: endsWithCRLF)
        }
        switch (phase, event) {
        case (.closed, _):
            return []
        case (_, .shutdown):
            return close(SMTPReply(421, "4.3.2", "\(configuration.hostname) Service shutting down", reason: "shutdown"))
        case (_, .idleTimeout):
            return close(SMTPReply(421, "4.4.2", "\(configuration.hostname) Idle timeout, closing", reason: "timeout"))
        case (_, .sessionTimeLimit):
            return close(
                SMTPReply(421, "4.4.2", "\(configuration.hostname) Session time limit reached", reason: "timeout"))
        case (.command, .connected):
            // RFC 2034 3: no enhanced code on the greeting.
            return [.send(SMTPReply(220, nil, "\(configuration.hostname) ESMTP Mailgate ready"))]
        case (.command, .line(let bytes, _)):
            // Command lines may end in a bare LF (lenient as Postfix); only DATA must use CRLF.
            guard bytes.count + 2 <= configuration.maximumCommandLineLength else {
                return refuse(SMTPReply(500, "5.5.6", "Line too long (RFC 5321 4.5.3.1.4)", reason: "syntax"))
            }
            switch SMTPCommandParser.parse(bytes) {
            case .success(let command): return handle(command)
            case .failure(let error): return refuse(SMTPReply(error))
            }
        case (_, .chunk(let bytes)):
            return chunkReceived(bytes)
        case (.command, .lineTooLong):
            return refuse(SMTPReply(500, "5.5.6", "Line too long (RFC 5321 4.5.3.1.4)", reason: "syntax"))
        case (.checkingSPF(let from, let parameters), .spfChecked(let result)):
            phase = .command
            return mailChecked(from: from, parameters: parameters, spf: result)
        case (.resolvingRecipient(let mailbox), .recipientResolved(let resolution)):
            phase = .command
            return recipientResolved(mailbox, resolution)
        case (.resolvingRecipient, .recipientLookupFailed):
            phase = .command
            return [.send(SMTPReply(451, "4.3.0", "Temporary failure looking up the recipient", reason: "store"))]
        case (.data(var reader), .lineTooLong):
            phase = .delivering  // see addDataLine
            reader.lineTooLong()
            phase = .data(reader)
            return []
        case (.delivering, .delivered(let results)):
            phase = .command
            transaction = nil
            return delivered(results)
        case (.delivering, .deliveryFailed):
            phase = .command
            transaction = nil
            return [.send(SMTPReply(451, "4.3.0", "Temporary failure storing the message; try again", reason: "store"))]
        case (.startingTLS, .tlsStarted):
            // RFC 3207 4.2: forget everything learnt before TLS; the client starts with EHLO again.
            phase = .command
            hello = nil
            transaction = nil
            isTLS = true
            return []
        default:
            return [.send(SMTPReply(503, "5.5.1", "Bad sequence of commands", reason: "sequence"))]
        }
    }

    // MARK: Commands

    private mutating func handle(_ command: SMTPCommand) -> [Action] {
        if case .bdat = command {} else { chunksRefused = false }
        switch command {
        case .ehlo(let name):
            hello = (name, true)
            transaction = nil
            errors = 0
            var lines = [
                "\(configuration.hostname) Hello \(name)", "PIPELINING", "SIZE \(configuration.maximumMessageBytes)",
            ]
            lines += ["8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING"]
            if configuration.offersSTARTTLS && !isTLS { lines.append("STARTTLS") }
            lines.append("HELP")
            return [.send(SMTPReply(250, nil, lines))]
        case .helo(let name):
            hello = (name, false)
            transaction = nil
            errors = 0
            return [.send(SMTPReply(250, nil, "\(configuration.hostname) Hello \(name)"))]
        case .mail(let from, let parameters):
            return mail(from: from, parameters: parameters)
        case .rcpt(let to, _):
            return recipient(to)
        case .data:
            guard hello != nil else { return refuse(Self.helloFirst) }
            guard let transaction else {
                return refuse(SMTPReply(503, "5.5.1", "Need MAIL and RCPT before DATA", reason: "sequence"))
            }
            guard chunks == nil else {
                return refuse(SMTPReply(503, "5.5.1", "DATA cannot follow BDAT (RFC 3030 2)", reason: "sequence"))
            }
            guard !transaction.mailboxes.isEmpty else {
                return refuse(SMTPReply(554, "5.5.1", "No valid recipients", reason: "sequence"))
            }
            phase = .data(SMTPDataReader(maximumBytes: configuration.maximumMessageBytes))
            // RFC 3463 has no class 3: the intermediate reply has no enhanced code.
            return [.send(SMTPReply(354, nil, "Start mail input; end with <CRLF>.<CRLF>"))]
        case .bdat(let size, let last):
            return chunkAnnounced(size: size, last: last)
        case .rset:
            transaction = nil
            return [.send(SMTPReply(250, "2.0.0", "OK"))]
        case .noop:
            return [.send(SMTPReply(250, "2.0.0", "OK"))]
        case .quit:
            phase = .closed
            return [.send(SMTPReply(221, "2.0.0", "\(configuration.hostname) Bye")), .close]
        case .vrfy:
            // RFC 5321 3.5.3: no address harvesting; 252 says "send it and see".
            return [.send(SMTPReply(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery"))]
        case .expn:
            return refuse(SMTPReply(502, "5.5.1", "EXPN not available", reason: "not_implemented"))
        case .help:
            return [
                .send(
                    SMTPReply(
                        214, "2.0.0",
                        ["Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS", "See RFC 5321"]))
            ]
        case .startTLS:
            guard configuration.offersSTARTTLS, !isTLS else {
                let text = isTLS ? "TLS already active" : "STARTTLS not available"
                return refuse(SMTPReply(isTLS ? 503 : 502, "5.5.1", text, reason: "not_implemented"))
            }
            guard hello != nil else { return refuse(Self.helloFirst) }
            phase = .startingTLS
            return [.send(SMTPReply(220, "2.0.0", "Ready to start TLS")), .startTLS]
        case .notImplemented(let verb):
            return refuse(SMTPReply(502, "5.5.1", "\(verb) not implemented", reason: "not_implemented"))
        }
    }

    private static let helloFirst = SMTPReply(503, "5.5.1", "Send EHLO or HELO first", reason: "sequence")

    private mutating func mail(from: SMTPMailbox?, parameters: SMTPCommand.MailParameters) -> [Action] {
        guard let hello else { return refuse(Self.helloFirst) }
        guard transaction == nil else {
            return refuse(SMTPReply(503, "5.5.1", "Nested MAIL command", reason: "sequence"))
        }
        // RFC 5321 4.1.1.1: service extensions only after EHLO.
        if !hello.isExtended && parameters != SMTPCommand.MailParameters() {
            return refuse(SMTPReply(555, "5.5.4", "MAIL parameters need EHLO", reason: "syntax"))
        }
        // RFC 6531 3.4: an internationalized address needs SMTPUTF8 on MAIL.
        if from?.isInternationalized == true && !parameters.smtpUTF8 {
            return refuse(SMTPReply(553, "5.6.7", "Non-ASCII address needs SMTPUTF8", reason: "syntax"))
        }
        // RFC 1870 6.1: refuse at MAIL when the declared size is over the fixed limit.
        if let size = parameters.size, size > configuration.maximumMessageBytes {
            return refuse(
                SMTPReply(552, "5.3.4", "Message size exceeds fixed maximum message size", reason: "too_large"))
        }
        phase = .checkingSPF(from, parameters)
        return [.checkSPF(mailFrom: from?.description ?? "", helo: hello.name)]
    }

    /// RFC 7208 8: what each SPF result does to the transaction; texts in the administrator's guide form.
    private mutating func mailChecked(
        from: SMTPMailbox?, parameters: SMTPCommand.MailParameters, spf: SPFResult
    ) -> [Action] {
        switch spf.code {
        case .fail where configuration.spfFail == .reject:
            // RFC 7208 8.4 (5.7.23 per RFC 7372): the explanation goes to the sender.
            var lines = ["SPF MAIL FROM check failed (Fail)"]
            if let explanation = spf.explanation, !explanation.isEmpty { lines.append(explanation) }
            return [.send(SMTPReply(550, "5.7.23", lines, reason: "spf_fail"))]
        case .temperror:
            // RFC 7208 8.6: a temporary error is 451 4.4.3.
            return [
                .send(
                    SMTPReply(
                        451, "4.4.3", "SPF MAIL FROM check failed (Temp Error); try again later",
                        reason: "spf_temperror"))
            ]
        case .permerror where configuration.spfPermerror == .reject:
            // RFC 7208 8.7, RFC 7372 (5.7.24); the hosted suite's text.
            return [.send(SMTPReply(550, "5.7.24", "SPF MAIL FROM check failed (Perm Error)", reason: "spf_permerror"))]
        default:
            transaction = SMTPEnvelope(
                helo: hello?.name ?? "", usedEHLO: hello?.isExtended ?? false, isTLS: isTLS, mailFrom: from,
                parameters: parameters, spf: spf)
            errors = 0
            return [.send(SMTPReply(250, "2.1.0", "Sender OK"))]
        }
    }

    private mutating func recipient(_ mailbox: SMTPMailbox) -> [Action] {
        guard hello != nil else { return refuse(Self.helloFirst) }
        guard let transaction else {
            return refuse(SMTPReply(503, "5.5.1", "Need MAIL before RCPT", reason: "sequence"))
        }
        guard transaction.recipients.count < configuration.maximumRecipients else {
            // RFC 5321 4.5.3.1.10: 452 for too many recipients; the client sends the rest later.
            return [.send(SMTPReply(452, "4.5.3", "Too many recipients", reason: "too_many_recipients"))]
        }
        if mailbox.isInternationalized && !transaction.parameters.smtpUTF8 {
            return refuse(SMTPReply(553, "5.6.7", "Non-ASCII address needs SMTPUTF8", reason: "syntax"))
        }
        // Never an open relay: an address literal is no domain of ours.
        if mailbox.domain.hasPrefix("[") {
            return [.send(SMTPReply(550, "5.7.1", "Relaying denied", reason: "relay_denied"))]
        }
        // Mailgate keys users by dot-atom ASCII addresses; anything else is no user of ours.
        guard let address = EmailAddress(mailbox.description) else {
            return [.send(SMTPReply(550, "5.1.1", "No such user here", reason: "unknown_user"))]
        }
        phase = .resolvingRecipient(mailbox)
        return [.resolveRecipient(address)]
    }

    private mutating func recipientResolved(_ mailbox: SMTPMailbox, _ resolution: RecipientResolution) -> [Action] {
        switch resolution {
        case .mailbox(let id, _, let quotaRemaining):
            if let quotaRemaining {
                let needed = Int64(clamping: transaction?.parameters.size ?? 1)
                if quotaRemaining < needed {
                    return [.send(SMTPReply(552, "5.2.2", "Mailbox full", reason: "mailbox_full"))]
                }
            }
            transaction?.recipients.append(mailbox)
            if transaction?.mailboxes.contains(id) == false { transaction?.mailboxes.append(id) }
            errors = 0
            return [.send(SMTPReply(250, "2.1.5", "Recipient OK"))]
        case .unknownUser, .disabled:
            return [.send(SMTPReply(550, "5.1.1", "No such user here", reason: "unknown_user"))]
        case .foreignDomain:
            return [.send(SMTPReply(550, "5.7.1", "Relaying denied", reason: "relay_denied"))]
        }
    }

    // MARK: Data and delivery

    /// DATA lines read in bulk (each with its line end), up to the end of the data at most.
    /// Returns the actions and how many bytes were taken: none outside DATA, and nothing after
    /// the end-of-data line, which the caller hands back as command lines.
    public mutating func handleDataLines(_ lines: ByteBuffer) -> (actions: [Action], taken: Int) {
        guard case .data(var reader) = phase else { return ([], 0) }
        phase = .delivering  // The reader is out of `phase` while it grows (see addDataLine).
        let (taken, ended) = lines.withUnsafeReadableBytes { reader.add(lines: $0) }
        guard ended else {
            phase = .data(reader)
            return ([], taken)
        }
        return (dataEnded(reader), taken)
    }

    /// One DATA line. The reader is taken out of `phase` while it grows: with a second
    /// reference left there, every line would copy the whole message so far (quadratic time).
    private mutating func addDataLine(_ bytes: [UInt8], endsWithCRLF: Bool) -> [Action] {
        guard case .data(var reader) = phase else { return [] }
        phase = .delivering
        let ended = reader.add(line: bytes, endsWithCRLF: endsWithCRLF)
        guard ended else {
            phase = .data(reader)
            return []
        }
        return dataEnded(reader)
    }

    private mutating func dataEnded(_ reader: SMTPDataReader) -> [Action] {
        messageComplete(reader.bytes, problem: reader.problem)
    }

    /// The whole message is in (final dot, or BDAT LAST): deliver it, or refuse it for its problem.
    private mutating func messageComplete(_ bytes: [UInt8], problem: SMTPDataReader.Problem?) -> [Action] {
        if let problem {
            phase = .command
            transaction = nil
            // RFC 1870 6.3 for the size: read to the end, then 552.
            return [.send(Self.refusal(problem))]
        }
        guard let transaction else {
            phase = .command
            return [.send(SMTPReply(503, "5.5.1", "Bad sequence of commands", reason: "sequence"))]
        }
        phase = .delivering
        return [.deliver(transaction, body: bytes)]
    }

    private static func refusal(_ problem: SMTPDataReader.Problem) -> SMTPReply {
        switch problem {
        case .tooLarge:
            SMTPReply(552, "5.3.4", "Message size exceeds fixed maximum message size", reason: "too_large")
        case .bareLineEnd:
            SMTPReply(
                550, "5.6.11", "Bare LF or CR in message refused (RFC 5321 2.3.8); use CRLF line ends",
                reason: "bare_lf")
        case .lineTooLong:
            SMTPReply(550, "5.6.0", "Message has a line too long", reason: "line_too_long")
        }
    }

    // MARK: BDAT (RFC 3030)

    /// `BDAT size [LAST]`. The chunk's octets come next whatever the answer (the framer reads
    /// them as a literal); those of a refused BDAT are dropped (`.chunk` outside `.receivingChunk`).
    private mutating func chunkAnnounced(size: Int, last: Bool) -> [Action] {
        guard hello != nil else { return refuse(Self.helloFirst) }
        guard let transaction else {
            let reply = SMTPReply(503, "5.5.1", "Need MAIL and RCPT before BDAT", reason: "sequence")
            // The chunks a client pipelined behind a refused one are not its errors: each gets
            // its 503 without bringing the session nearer to "too many errors".
            return chunksRefused ? [.send(reply)] : refuse(reply)
        }
        guard !transaction.mailboxes.isEmpty else {
            return refuse(SMTPReply(554, "5.5.1", "No valid recipients", reason: "sequence"))
        }
        guard size <= configuration.maximumMessageBytes else {
            // The framer drops a chunk this large. RFC 3030 2: a refused chunk fails the message,
            // so the chunks pipelined after it get 503.
            self.transaction = nil
            chunksRefused = true
            return [.send(Self.refusal(.tooLarge))]
        }
        phase = .receivingChunk(size: size, last: last)
        self.transaction?.isChunked = true
        return size == 0 ? chunkReceived(ByteBuffer()) : []
    }

    private mutating func chunkReceived(_ chunk: ByteBuffer) -> [Action] {
        guard case .receivingChunk(let size, let last) = phase else { return [] }
        phase = .command
        // Taken out of `chunks` while it grows, or every chunk would copy the message so far.
        var message =
            chunks
            ?? SMTPChunkedMessage(
                maximumBytes: configuration.maximumMessageBytes, maximumLineLength: SMTPServer.maximumLineLength)
        chunks = nil
        chunk.withUnsafeReadableBytes { message.append($0) }
        if last { message.finish() }
        if last || message.problem != nil {
            // A problem fails the message at once (RFC 3030 2 allows a reply per chunk); the
            // chunks pipelined after it get 503.
            chunksRefused = message.problem != nil
            return messageComplete(message.bytes, problem: message.problem)
        }
        chunks = message
        return [.send(SMTPReply(250, "2.0.0", "\(size) octets received"))]
    }

    /// One reply for all recipients (RFC 5321 has no per-recipient reply after DATA without LMTP):
    /// 250 when at least one mailbox stored the message. A mailbox refusing between RCPT and DATA
    /// (license removed meanwhile) is logged by the driver; there is no bounce system yet.
    private mutating func delivered(_ results: [Result<MessageUID, StoreRefusal>]) -> [Action] {
        if results.contains(where: { if case .success = $0 { true } else { false } }) {
            return [.send(SMTPReply(250, "2.0.0", "Message accepted for delivery"))]
        }
        let refusals = results.compactMap { if case .failure(let refusal) = $0 { refusal } else { nil } }
        switch refusals.first {
        case .quotaExceeded?: return [.send(SMTPReply(552, "5.2.2", "Mailbox full", reason: "mailbox_full"))]
        case .messageTooLarge?:
            return [
                .send(SMTPReply(552, "5.3.4", "Message size exceeds fixed maximum message size", reason: "too_large"))
            ]
        default:
            return [.send(SMTPReply(550, "5.2.1", "Mailbox unavailable", reason: "mailbox_unavailable"))]
        }
    }

    // MARK: Helpers

    /// A refused command; too many in a row end the session.
    private mutating func refuse(_ reply: SMTPReply) -> [Action] {
        errors += 1
        guard errors < configuration.maximumErrors else {
            return close(
                SMTPReply(421, "4.7.0", "\(configuration.hostname) Too many errors, closing", reason: "too_many_errors")
            )
        }
        return [.send(reply)]
    }

    private mutating func close(_ reply: SMTPReply) -> [Action] {
        phase = .closed
        return [.send(reply), .close]
    }
}

/// A mail transaction: who sent, to whom, with what SPF result.
public struct SMTPEnvelope: Sendable, Equatable {
    /// The HELO/EHLO name (as given).
    public var helo: String
    public var usedEHLO: Bool
    public var isTLS: Bool
    /// nil for the null reverse-path `<>`.
    public var mailFrom: SMTPMailbox?
    public var parameters: SMTPCommand.MailParameters
    public var spf: SPFResult?
    /// The accepted recipients as the client wrote them.
    public var recipients: [SMTPMailbox] = []
    /// Their mailboxes, each once (an alias and its primary address share one).
    public var mailboxes: [MailboxID] = []
    /// The message came in BDAT chunks (RFC 3030), not after DATA.
    public var isChunked = false
}
