import CoreMetrics
import Logging
import MailListener
import MailStore
import MailgateCore
import NIOCore

/// The driver of one connection: frames in, through the assembler and parser, to the session
/// machine; its actions performed against the connection, the sign-in gate and the store.
struct IMAPConnection {
    let server: IMAPServer
    let connection: MailConnection
    var session: IMAPSession
    var assembler: IMAPCommandAssembler
    var context: IMAPCommandContext?
    let watch = IMAPChangeWatch()
    var watchObservation: ChangeObservation?
    var registeredUser: UserID?

    init(server: IMAPServer, connection: MailConnection) {
        self.server = server
        self.connection = connection
        session = IMAPSession(
            settings: .init(
                isSecure: connection.isSecure, canStartTLS: server.tls != nil && !connection.isTLS,
                appendLimit: server.configuration.appendLimit))
        assembler = IMAPCommandAssembler(
            maximumLiteralSize: server.configuration.appendLimit,
            maximumCommandSize: server.configuration.appendLimit + server.configuration.maximumLineLength)
    }

    mutating func run() async {
        defer {
            watchObservation?.cancel()
            if let registeredUser { server.unregister(registeredUser) }
        }
        do {
            try await connection.send(session.greeting)
            while let frame = try await connection.next() {
                guard try await handle(frame) else { break }
            }
        } catch {
            server.logger.debug(
                "imap session ended", metadata: ["client": "\(connection.remoteAddress)", "error": "\(error)"])
        }
    }

    /// Handles one frame; false when the session is over.
    private mutating func handle(_ frame: InboundFrame) async throws -> Bool {
        let event: IMAPSession.Event
        switch frame {
        case .line(let buffer, _):
            let bytes = Array(buffer.readableBytesView)
            if case .authenticating = session.phase, !assembler.isInsideCommand {
                event = .continuationLine(bytes)
            } else {
                switch assembler.line(bytes) {
                case .needMore: return true
                case .continuation:
                    try await connection.send("+ Ready for literal data\r\n")
                    return true
                case .failed(let error): event = .unparsable(error)
                case .command(let command):
                    switch IMAPCommandParser.parse(command) {
                    case .success(let parsed):
                        server.metrics.command(parsed.kind)
                        event = .command(parsed)
                    case .failure(let error): event = .unparsable(error)
                    }
                }
            }
        case .literal(let buffer):
            _ = assembler.literal(Array(buffer.readableBytesView))
            return true
        case .lines: return true  // Bulk mode is SMTP's; IMAP never turns it on.
        case .lineTooLong: event = .unparsable(assembler.lineTooLong().parseError)
        case .idleTimeout: event = .idleTimeout
        case .shutdown: event = .shutdown
        }
        return try await perform(session.handle(event))
    }

    /// Performs actions in order; false when the session is over.
    private mutating func perform(_ actions: [IMAPSession.Action]) async throws -> Bool {
        var pending = actions
        while !pending.isEmpty {
            switch pending.removeFirst() {
            case .send(let text): try await connection.send(text)
            case .close: return false
            case .startTLS(let reply):
                guard let tls = server.tls else { return false }
                // The reply and the TLS handler go in together, so a quick ClientHello is not lost.
                try await connection.startTLS(tls, sending: ByteBuffer(string: reply))
                pending += session.handle(.tlsStarted)
            case .delayFailedSignIn:
                try await Task.sleep(for: server.configuration.failedSignInDelay)
            case .signIn(let tag, let user, let password):
                let result = await server.signIn.signIn(
                    user, password: password, from: connection.remoteAddress, service: .imap)
                pending += signedIn(tag: tag, result)
            case .execute(let command):
                guard var context else { return false }
                if command.kind == .idle {
                    let outcome = try await idle(tag: command.tag, &context)
                    self.context = context
                    switch outcome {
                    case .done: break
                    case .ended: return false
                    case .event(let event): pending += session.handle(event)
                    }
                    continue
                }
                context.output = IMAPResponseWriter()
                context.qresync = session.enabled.contains("QRESYNC")
                context.rev2 = session.enabled.contains("IMAP4REV2")
                // RFC 7162 3.1 and 3.2.3: ENABLE CONDSTORE (or QRESYNC) turns CONDSTORE on; from
                // then on every untagged FETCH carries MODSEQ.
                if context.qresync || session.enabled.contains("CONDSTORE") { context.condStore = true }
                if context.condStore { context.selected?.includeModSeq = true }
                await IMAPCommandRunner.run(command, &context)
                if context.condStore { context.selected?.includeModSeq = true }
                watch.select(context.selected?.folder.id)
                session.isSelected = context.selected != nil
                if context.condStore { session.enableCondStore() }
                try await connection.send(context.output.buffer)
                context.output = IMAPResponseWriter()
                self.context = context
            }
        }
        return true
    }

    private mutating func signedIn(tag: String, _ result: Result<SignInGrant, SignInRefusal>) -> [IMAPSession.Action] {
        guard case .success(let grant) = result, let mailbox = grant.mailbox else {
            server.metrics.signInFailures.increment()
            return session.handle(.signedIn(tag: tag, result))
        }
        guard server.register(grant.userID) else { return session.handle(.sessionLimitReached(tag: tag)) }
        registeredUser = grant.userID
        server.metrics.sessions.increment()
        let watch = self.watch
        watchObservation = server.store.changeFeed.observe(mailbox: mailbox) { watch.notice($0) }
        context = IMAPCommandContext(
            store: server.store, mailbox: mailbox, user: grant.email, clock: server.clock,
            appendLimit: server.configuration.appendLimit, selected: nil, condStore: false, watch: watch,
            sender: connection.sender, folderIndexes: server.folderIndexes)
        server.logger.info(
            "imap sign-in", metadata: ["user": "\(grant.email)", "client": "\(connection.remoteAddress)"])
        return session.handle(.signedIn(tag: tag, result))
    }

    private enum IdleOutcome {
        case done
        case ended
        case event(IMAPSession.Event)
    }

    /// RFC 2177 IDLE: untagged updates as they happen until the client sends DONE.
    private func idle(tag: String, _ context: inout IMAPCommandContext) async throws -> IdleOutcome {
        try await connection.send("+ idling\r\n")
        server.metrics.idling.increment()
        defer { server.metrics.idling.decrement() }
        context.output = IMAPResponseWriter()
        try await context.refresh(allowExpunge: true)
        if context.output.buffer.readableBytes > 0 { try await connection.send(context.output.buffer) }
        let (changes, changed) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        watch.setIdle(changed)
        defer { watch.setIdle(nil) }
        // A task of its own reads the one frame that ends the IDLE, while this one sends updates.
        let reader = IdleReader(connection: connection)
        let frameTask = Task { () -> InboundFrame? in
            defer { changed.finish() }
            return try? await reader.connection.next()
        }
        for await _ in changes {
            context.output = IMAPResponseWriter()
            try await context.refresh(allowExpunge: true, force: true)
            if context.output.buffer.readableBytes > 0 { try await connection.send(context.output.buffer) }
        }
        switch await frameTask.value {
        case .line(let buffer, _):
            if String(buffer: buffer).uppercased() == "DONE" {
                try await connection.send("\(tag) OK IDLE terminated\r\n")
            } else {
                try await connection.send("\(tag) BAD Expected DONE\r\n")
            }
            return .done
        case .idleTimeout: return .event(.idleTimeout)
        case .shutdown: return .event(.shutdown)
        case .literal, .lines, .lineTooLong:
            try await connection.send("\(tag) BAD Expected DONE\r\n")
            return .done
        case nil: return .ended
        }
    }
}

/// Hands the connection to the IDLE reader task.
///
/// Safety: while it exists the reader task is the only caller of `next()`, and the session task
/// only calls `send(_:)`, which touches nothing `next()` does (the writer is Sendable, the
/// iterator and epoch are the reader's). The session task awaits the reader before it reads again.
private struct IdleReader: @unchecked Sendable {
    let connection: MailConnection
}

extension IMAPCommandAssembler.Step {
    var parseError: IMAPParseError {
        if case .failed(let error) = self { return error }
        return IMAPParseError(tag: nil, "line too long")
    }
}

extension IMAPServer {
    /// Runs one session to its end.
    func serve(_ connection: MailConnection) async {
        var driver = IMAPConnection(server: self, connection: connection)
        await driver.run()
    }
}
