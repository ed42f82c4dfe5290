public import Foundation
public import MailStore
public import MailgateCore

/// One POP3 conversation (RFC 1939 3), free of I/O: events in, actions out.
///
/// The driver (``POP3Connection``) performs each action in order and feeds back the events
/// that some of them produce (a sign-in outcome, a loaded message, a removal), before it reads
/// the next command, so the machine never sees two requests overlap.
public struct POP3Session: Sendable {
    public enum Event: Sendable {
        case command(POP3Command)
        case invalid(POP3CommandError)
        /// A client line read while ``isAwaitingSASLResponse`` (RFC 5034 4).
        case saslResponse(String)
        case lineTooLong
        case signedIn(SignInOutcome)
        /// The bytes asked for by ``Action/load(_:number:)``; nil if the message was removed meanwhile.
        case loaded(Data?)
        /// ``Action/load(_:number:)`` failed in the store (not a removal): worth trying again.
        case loadFailed
        /// The outcome of ``Action/remove(_:from:)``.
        case removed(succeeded: Bool)
        case tlsStarted
        case idleTimeout
        case shutdown
    }

    /// What the driver learnt from the sign-in gate, the maildrop lock and the store.
    public enum SignInOutcome: Sendable, Equatable {
        case granted(Maildrop)
        case refused(SignInRefusal)
        /// RFC 2449 8.1.1 IN-USE: another session holds this maildrop.
        case inUse
        /// The maildrop could not be read.
        case unavailable
    }

    public enum Action: Sendable, Equatable {
        /// Complete reply lines, CRLF included.
        case send(String)
        /// A message as a multi-line body (``POP3Wire``), all of it or TOP's part.
        case sendMessage(Data, bodyLines: Int?, dotLines: [Int]? = nil)
        case signIn(login: String, password: Secret)
        /// Wait before the next action (after a failed sign-in), without blocking anyone else.
        case pause(Duration)
        /// Read a message's bytes; `number` is its message number, for read-ahead.
        case load(ContentID, number: Int)
        /// RFC 1939 6: the UPDATE state's removal, in one store transaction.
        case remove([MessageUID], from: FolderID)
        case startTLS
        case close
    }

    private enum State: Sendable {
        case authorization(user: String?)
        case awaitingSASL
        case signingIn
        case transaction
        case loading(number: Int, bodyLines: Int?)
        case update
        case closed
    }

    private var state = State.authorization(user: nil)
    private var maildrop: Maildrop?
    private var deleted: Set<Int> = []
    /// Passwords may be sent: TLS or loopback (RFC 2595 2.3, INTERFACE.md).
    public private(set) var isSecure: Bool
    /// STLS can be offered: a TLS context exists and TLS is not on yet.
    public private(set) var canStartTLS: Bool
    /// How long a failed sign-in waits before its answer (slows guessing, RFC 1939 13).
    public let failureDelay: Duration

    public init(isSecure: Bool, canStartTLS: Bool, failureDelay: Duration = .seconds(1)) {
        self.isSecure = isSecure
        self.canStartTLS = canStartTLS
        self.failureDelay = failureDelay
    }

    public static let greeting = "+OK Mailgate POP3 ready\r\n"

    /// The next client line is an AUTH continuation, not a command.
    public var isAwaitingSASLResponse: Bool {
        if case .awaitingSASL = state { true } else { false }
    }

    /// The maildrop of a signed-in session (for the driver's lock and logs).
    public var signedInMaildrop: Maildrop? { maildrop }

    public mutating func handle(_ event: Event) -> [Action] {
        switch event {
        case .command(let command): return handle(command)
        case .invalid(let error): return [err(error.description)]
        case .lineTooLong:
            if isAwaitingSASL { state = .authorization(user: nil) }
            return [err("line too long")]
        case .saslResponse(let response): return saslResponse(response)
        case .signedIn(let outcome): return signedIn(outcome)
        case .loaded(let bytes): return loaded(bytes)
        case .loadFailed:
            guard case .loading = state else { return [] }
            state = .transaction
            // RFC 3206 4: a temporary failure of the server, not of the message.
            return [err("[SYS/TEMP] the message could not be read now, try again")]
        case .removed(let succeeded):
            state = .closed
            // RFC 1939 6: if the removal fails, say so with -ERR, and still end the session.
            return succeeded
                ? [.send("+OK Mailgate POP3 signing off (\(deleted.count) messages deleted)\r\n"), .close]
                : [err("[SYS/TEMP] some deleted messages were not removed"), .close]
        case .tlsStarted:
            // RFC 2595 4: the client must forget what it knew; the session starts over.
            isSecure = true
            canStartTLS = false
            state = .authorization(user: nil)
            return []
        case .idleTimeout:
            // RFC 1939 3: the autologout timer ends the session without entering UPDATE.
            state = .closed
            return [err("autologout: idle for too long"), .close]
        case .shutdown:
            state = .closed
            return [err("[SYS/TEMP] server shutting down, nothing was deleted"), .close]
        }
    }

    private var isAwaitingSASL: Bool { isAwaitingSASLResponse }

    private mutating func handle(_ command: POP3Command) -> [Action] {
        switch (state, command) {
        case (.closed, _), (.update, _), (.signingIn, _), (.loading, _), (.awaitingSASL, _):
            return []  // not reached: the driver feeds no command before the pending event
        case (_, .capa):
            return [.send(capabilities)]
        case (.authorization, .quit):
            state = .closed
            return [.send("+OK Mailgate POP3 signing off\r\n"), .close]
        case (.authorization, .stls):
            guard canStartTLS else { return [err("STLS is not available on this connection")] }
            return [.send("+OK begin TLS negotiation\r\n"), .startTLS]
        case (.authorization, .user(let name)):
            guard isSecure else { return [plainTextRefused] }
            state = .authorization(user: name)
            return [.send("+OK send PASS\r\n")]
        case (.authorization(let user), .pass(let password)):
            guard isSecure else { return [plainTextRefused] }
            guard let user else { return [err("send USER first")] }
            state = .signingIn
            return [.signIn(login: user, password: password)]
        case (.authorization, .auth(nil, _)):
            return [.send("+OK\r\nPLAIN\r\n.\r\n")]
        case (.authorization, .auth(let mechanism?, let initial)):
            guard mechanism == "PLAIN" else { return [err("unsupported authentication mechanism")] }
            guard isSecure else { return [plainTextRefused] }
            guard let initial else {
                state = .awaitingSASL
                return [.send("+ \r\n")]
            }
            // RFC 5034 4: "=" is an initial response of zero length.
            return saslResponse(initial == "=" ? "" : initial)
        case (.authorization, _):
            state = .authorization(user: nil)
            return [err("sign in first")]
        case (.transaction, let command):
            return transaction(command)
        }
    }

    private mutating func saslResponse(_ response: String) -> [Action] {
        // RFC 5034 4: "*" cancels the exchange.
        if response == "*" {
            state = .authorization(user: nil)
            return [err("authentication cancelled")]
        }
        guard let (login, password) = SASLPlain.decode(response) else {
            state = .authorization(user: nil)
            return [err("[AUTH] invalid PLAIN response")]
        }
        state = .signingIn
        return [.signIn(login: login, password: password)]
    }

    private mutating func signedIn(_ outcome: SignInOutcome) -> [Action] {
        guard case .signingIn = state else { return [] }
        switch outcome {
        case .granted(let drop):
            maildrop = drop
            deleted = []
            state = .transaction
            return [.send("+OK \(drop.messages.count) messages (\(totalSize(of: drop)) octets)\r\n")]
        case .refused(let refusal):
            state = .authorization(user: nil)
            // RFC 3206 4 and 5: a temporary condition is SYS/TEMP; anything else is AUTH.
            let code = refusal.isTemporary ? "[SYS/TEMP]" : "[AUTH]"
            return [.pause(failureDelay), err("\(code) \(refusal.description)")]
        case .inUse:
            state = .authorization(user: nil)
            return [err("[IN-USE] the maildrop is in use by another session")]
        case .unavailable:
            state = .authorization(user: nil)
            return [err("[SYS/TEMP] the maildrop cannot be opened now")]
        }
    }

    private mutating func transaction(_ command: POP3Command) -> [Action] {
        guard let drop = maildrop else { return [] }
        switch command {
        case .stat:
            return [.send("+OK \(drop.messages.count - deleted.count) \(totalSize(of: drop))\r\n")]
        case .list(nil):
            var reply = "+OK \(drop.messages.count - deleted.count) messages (\(totalSize(of: drop)) octets)\r\n"
            for (index, message) in drop.messages.enumerated() where !deleted.contains(index + 1) {
                reply += "\(index + 1) \(message.size)\r\n"
            }
            return [.send(reply + ".\r\n")]
        case .list(let number?):
            return reply(message(number, drop)) { [.send("+OK \(number) \($0.size)\r\n")] }
        case .uidl(nil):
            var reply = "+OK unique-id listing follows\r\n"
            for (index, message) in drop.messages.enumerated() where !deleted.contains(index + 1) {
                reply += "\(index + 1) \(message.uniqueID)\r\n"
            }
            return [.send(reply + ".\r\n")]
        case .uidl(let number?):
            return reply(message(number, drop)) { [.send("+OK \(number) \($0.uniqueID)\r\n")] }
        case .retr(let number):
            switch message(number, drop) {
            case .failure(let failure): return [failure.reply]
            case .success(let found):
                state = .loading(number: number, bodyLines: nil)
                return [.load(found.content, number: number)]
            }
        case .top(let number, let lines):
            switch message(number, drop) {
            case .failure(let failure): return [failure.reply]
            case .success(let found):
                state = .loading(number: number, bodyLines: lines)
                return [.load(found.content, number: number)]
            }
        case .dele(let number):
            switch message(number, drop) {
            case .failure(let failure): return [failure.reply]
            case .success:
                deleted.insert(number)
                return [.send("+OK message \(number) deleted\r\n")]
            }
        case .noop:
            return [.send("+OK\r\n")]
        case .rset:
            deleted = []
            return [.send("+OK \(drop.messages.count) messages (\(totalSize(of: drop)) octets)\r\n")]
        case .quit:
            // RFC 1939 6: only QUIT from TRANSACTION removes; a dropped connection removes nothing.
            let uids = deleted.sorted().map { drop.messages[$0 - 1].uid }
            guard !uids.isEmpty else {
                state = .closed
                return [.send("+OK Mailgate POP3 signing off\r\n"), .close]
            }
            state = .update
            return [.remove(uids, from: drop.folder)]
        case .user, .pass, .auth, .stls:
            return [err("command not valid in this state")]
        case .capa:
            return [.send(capabilities)]
        }
    }

    private mutating func loaded(_ bytes: Data?) -> [Action] {
        guard case .loading(let number, let bodyLines) = state, let drop = maildrop else { return [] }
        state = .transaction
        guard let bytes else { return [err("message \(number) was removed by another session")] }
        if bodyLines == nil {
            let message = drop.messages[number - 1]
            return [
                .send("+OK \(message.size) octets\r\n"),
                .sendMessage(bytes, bodyLines: nil, dotLines: message.dotLines),
            ]
        }
        return [.send("+OK top of message follows\r\n"), .sendMessage(bytes, bodyLines: bodyLines)]
    }

    /// The message numbered `number` if it exists and is not deleted, or the reply saying why not.
    private func message(_ number: Int, _ drop: Maildrop) -> Result<Maildrop.Message, POP3Failure> {
        guard number >= 1, number <= drop.messages.count else { return .failure(POP3Failure(err("no such message"))) }
        guard !deleted.contains(number) else { return .failure(POP3Failure(err("message \(number) already deleted"))) }
        return .success(drop.messages[number - 1])
    }

    /// RFC 1939 5: deleted messages count in neither total.
    private func totalSize(of drop: Maildrop) -> Int {
        drop.messages.enumerated().reduce(0) { sum, item in
            deleted.contains(item.offset + 1) ? sum : sum + item.element.size
        }
    }

    /// RFC 2449 5: what this session offers now. USER and SASL only where a password may be
    /// sent; STLS only before TLS and before sign-in.
    private var capabilities: String {
        var lines = ["+OK capability list follows", "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"]
        // RFC 2449 6.7: messages are never removed by the server on its own.
        lines.append("EXPIRE NEVER")
        if case .authorization = state {
            if isSecure { lines += ["USER", "SASL PLAIN"] }
            if canStartTLS { lines.append("STLS") }
        }
        lines += ["IMPLEMENTATION Mailgate", "."]
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    private var plainTextRefused: Action {
        err("[AUTH] plain-text sign-in is not allowed on an unencrypted connection; use STLS first")
    }

    private func err(_ text: String) -> Action { .send("-ERR \(text)\r\n") }

    private func reply(_ found: Result<Maildrop.Message, POP3Failure>, _ body: (Maildrop.Message) -> [Action])
        -> [Action]
    {
        switch found {
        case .failure(let failure): [failure.reply]
        case .success(let message): body(message)
        }
    }
}

/// A refusal already worded as its `-ERR` reply.
private struct POP3Failure: Error {
    var reply: POP3Session.Action
    init(_ reply: POP3Session.Action) { self.reply = reply }
}
