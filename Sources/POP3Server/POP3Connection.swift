import CoreMetrics
import Foundation
import Logging
import MailListener
import MailStore
import MailgateCore
import NIOCore

/// The driver of one POP3 connection: reads frames, feeds the ``POP3Session``, performs its
/// actions (store, sign-in gate, TLS) and writes the replies.
///
/// Pipelined commands are answered in order; each command's replies go out in one write. The
/// maildrop lock is released however the connection ends; nothing is removed unless the session
/// asked for it after QUIT.
struct POP3Connection {
    let connection: MailConnection
    let server: POP3Server
    var logger: Logger

    init(connection: MailConnection, server: POP3Server, logger: Logger) {
        self.connection = connection
        self.server = server
        self.logger = logger
        self.logger[metadataKey: "client"] = "\(connection.remoteAddress)"
    }

    func run() async {
        var state = DriverState(
            session: POP3Session(
                isSecure: connection.isSecure, canStartTLS: server.tls != nil && !connection.isTLS,
                failureDelay: server.settings.failureDelay))
        do {
            try await connection.send(POP3Session.greeting)
            while let frame = try await connection.next() {
                let event: POP3Session.Event
                switch frame {
                case .line(let bytes, _):
                    if state.session.isAwaitingSASLResponse {
                        event = .saslResponse(String(decoding: bytes.readableBytesView, as: UTF8.self))
                    } else {
                        switch POP3CommandParser.parse(bytes) {
                        case .success(let command): event = .command(command)
                        case .failure(let error): event = .invalid(error)
                        }
                    }
                case .lineTooLong: event = .lineTooLong
                case .literal, .lines: continue  // Neither is framed for POP3.
                case .idleTimeout: event = .idleTimeout
                case .shutdown: event = .shutdown
                }
                if try await perform(state.session.handle(event), &state) { break }
            }
        } catch {
            logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
        await connection.close()
        // However the session ended (errors are caught above), the maildrop is free again.
        if let mailbox = state.lockedMailbox { server.locks.release(mailbox) }
        // Kept after the client has gone, so that neither its sign-in nor its RETRs wait for the
        // write, and once no session is left, so that the write never runs beside another's RETR
        // round; a server that is never without a session keeps them when many are waiting.
        if server.locks.isEmpty || server.wireForms.waitingCount >= WireFormCache.maximumWaiting {
            await server.wireForms.keepComputed(in: server.store)
        }
    }

    private struct DriverState {
        var session: POP3Session
        var lockedMailbox: MailboxID?
        var prefetch = MessagePrefetch()
        /// Replies not yet sent: those to a pipelined batch go out together.
        var output = ByteBuffer()
    }

    /// Replies held for a pipelined batch are sent once they reach this size.
    static let heldReplyLimit = 256 * 1024

    /// Performs actions (and those they lead to) in order; true when the session is over.
    private func perform(_ actions: [POP3Session.Action], _ state: inout DriverState) async throws -> Bool {
        var pending = actions[...]
        var output = state.output
        state.output = ByteBuffer()
        func flush() async throws {
            guard output.readableBytes > 0 else { return }
            server.metrics.bytesSent.increment(by: Int64(output.readableBytes))
            try await connection.send(output)
            output = ByteBuffer()
        }
        while let action = pending.popFirst() {
            var next: [POP3Session.Action] = []
            switch action {
            case .send(let text):
                output.writeString(text)
            case .sendMessage(let bytes, let bodyLines, let dotLines):
                POP3Wire.encode(bytes, bodyLines: bodyLines, dotLines: dotLines, into: &output)
                if bodyLines == nil { server.metrics.messagesRetrieved.increment() }
            case .signIn(let login, let password):
                let outcome = await signIn(login, password: password, &state)
                next = state.session.handle(.signedIn(outcome))
            case .pause(let duration):
                try await flush()
                try await Task.sleep(for: duration)
            case .load(let content, let number):
                do {
                    let bytes =
                        if let maildrop = state.session.signedInMaildrop {
                            try await state.prefetch.bytes(at: number - 1, in: maildrop, store: server.store)
                        } else {
                            try await server.store.messageBytes(content)
                        }
                    next = state.session.handle(.loaded(bytes))
                } catch {
                    logger.error("message read failed", metadata: ["error": "\(error)"])
                    next = state.session.handle(.loadFailed)
                }
            case .remove(let uids, let folder):
                do {
                    let removed = try await server.store.remove(uids, from: folder, onlyDeleted: false)
                    server.metrics.messagesDeleted.increment(by: Int64(removed.count))
                    logger.info("messages removed", metadata: ["count": "\(removed.count)"])
                    next = state.session.handle(.removed(succeeded: true))
                } catch {
                    logger.error("removal failed", metadata: ["error": "\(error)"])
                    next = state.session.handle(.removed(succeeded: false))
                }
            case .startTLS:
                guard let tls = server.tls else {
                    try await flush()
                    return true
                }
                // The +OK and the TLS handler go in one step (see MailConnection.startTLS).
                let reply = output
                output = ByteBuffer()
                server.metrics.bytesSent.increment(by: Int64(reply.readableBytes))
                try await connection.startTLS(tls, sending: reply)
                next = state.session.handle(.tlsStarted)
            case .close:
                try await flush()
                return true
            }
            pending.insert(contentsOf: next, at: pending.startIndex)
        }
        // RFC 2449 6.6 PIPELINING: while the client's next commands are already here, their
        // replies join this one; all go out before the session waits for input.
        if connection.hasBufferedInput && output.readableBytes < Self.heldReplyLimit {
            state.output = output
        } else {
            try await flush()
        }
        return false
    }

    /// Asks the gate, then takes the maildrop lock, then reads the snapshot.
    private func signIn(_ login: String, password: Secret, _ state: inout DriverState) async
        -> POP3Session.SignInOutcome
    {
        let result = await server.signIn.signIn(
            login, password: password, from: connection.remoteAddress, service: .pop3)
        let grant: SignInGrant
        switch result {
        case .failure(let refusal):
            server.metrics.signInFailures.increment()
            logger.notice("sign-in refused", metadata: ["login": "\(login)", "reason": "\(refusal)"])
            return .refused(refusal)
        case .success(let granted):
            grant = granted
        }
        guard let mailbox = grant.mailbox else { return .refused(.noLicense) }
        guard server.locks.acquire(mailbox) else {
            logger.notice("maildrop in use", metadata: ["user": "\(grant.email)"])
            return .inUse
        }
        do {
            let drop = try await Maildrop.load(mailbox: mailbox, store: server.store, forms: server.wireForms)
            state.lockedMailbox = mailbox
            server.metrics.sessions.increment()
            logger.info("signed in", metadata: ["user": "\(grant.email)", "messages": "\(drop.messages.count)"])
            return .granted(drop)
        } catch {
            server.locks.release(mailbox)
            logger.error("maildrop not readable", metadata: ["user": "\(grant.email)", "error": "\(error)"])
            return .unavailable
        }
    }
}
