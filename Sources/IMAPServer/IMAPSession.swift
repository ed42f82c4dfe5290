import Foundation
public import MailStore
public import MailgateCore

/// One IMAP conversation's state (RFC 3501 3: not authenticated, authenticated, selected,
/// logout), free of I/O: events in, actions out. Mailbox work is handed out as
/// ``Action/execute(_:)``; the driver runs it against the store and feeds nothing back but the
/// replies it sends, since those commands do not change the state beyond the selection.
public struct IMAPSession: Sendable {
    /// Facts about the connection the machine needs.
    public struct Settings: Sendable {
        /// Passwords may be sent (TLS, or loopback).
        public var isSecure: Bool
        /// STARTTLS is possible (TLS configured, not yet on).
        public var canStartTLS: Bool
        public var appendLimit: Int
        public init(isSecure: Bool, canStartTLS: Bool, appendLimit: Int) {
            self.isSecure = isSecure
            self.canStartTLS = canStartTLS
            self.appendLimit = appendLimit
        }
    }

    public enum Event: Sendable {
        case command(IMAPCommand)
        case unparsable(IMAPParseError)
        /// A line sent in answer to a `+` continuation (AUTHENTICATE).
        case continuationLine([UInt8])
        case signedIn(tag: String, Result<SignInGrant, SignInRefusal>)
        /// The user has too many sessions open.
        case sessionLimitReached(tag: String)
        /// STARTTLS completed.
        case tlsStarted
        case idleTimeout
        case shutdown
    }

    public enum Action: Sendable, Equatable {
        case send(String)
        /// Send the go-ahead and start TLS in one step (RFC 3501 6.2.1, RFC 2595 3.1).
        case startTLS(reply: String)
        case signIn(tag: String, user: String, password: Secret)
        /// Wait before answering a failed sign-in (slows guessing).
        case delayFailedSignIn
        /// A command needing the store, in the authenticated or selected state.
        case execute(IMAPCommand)
        case close
    }

    public enum Phase: Sendable, Equatable {
        case notAuthenticated
        case authenticating(tag: String)
        case signingIn(tag: String)
        case authenticated
        case logout
    }

    public private(set) var phase = Phase.notAuthenticated
    public private(set) var settings: Settings
    public private(set) var grant: SignInGrant?
    /// Extensions turned on with ENABLE (RFC 5161), upper case.
    public private(set) var enabled: Set<String> = []
    /// Set by the driver when a mailbox is selected: the selected state's commands become valid.
    public var isSelected = false

    public init(settings: Settings) { self.settings = settings }

    /// The greeting (RFC 3501 7.1.1).
    public var greeting: String { "* OK [CAPABILITY \(capabilities)] Mailgate IMAP ready\r\n" }

    /// RFC 3501 7.2.1 CAPABILITY, depending on the state (RFC 2595 LOGINDISABLED, RFC 4959 SASL-IR).
    public var capabilities: String {
        // RFC 9051 appendix E: IMAP4rev1 by default, IMAP4rev2 after ENABLE.
        var words = ["IMAP4rev1", "IMAP4rev2"]
        if phase == .authenticated {
            words += [
                "LITERAL+", "SASL-IR", "ID", "ENABLE", "IDLE", "NAMESPACE", "UIDPLUS", "MOVE", "UNSELECT",
                "SPECIAL-USE", "CHILDREN", "LIST-EXTENDED", "LIST-STATUS", "CONDSTORE", "QRESYNC", "ESEARCH",
                "SEARCHRES", "SORT", "QUOTA",
                "BINARY",
                "APPENDLIMIT=\(settings.appendLimit)",
            ]
        } else {
            words += ["LITERAL+", "SASL-IR", "ID", "ENABLE", "IDLE"]
            if settings.canStartTLS { words.append("STARTTLS") }
            words.append(settings.isSecure ? "AUTH=PLAIN" : "LOGINDISABLED")
        }
        return words.joined(separator: " ")
    }

    public mutating func handle(_ event: Event) -> [Action] {
        switch event {
        case .command(let command): return handle(command)
        case .unparsable(let error):
            return [.send("\(error.tag ?? "*") BAD \(error.message)\r\n")]
        case .continuationLine(let line): return authenticateResponse(line)
        case .signedIn(let tag, .success(let grant)):
            guard grant.mailbox != nil else {
                phase = .notAuthenticated
                return [.send("\(tag) NO [CONTACTADMIN] \(SignInRefusal.noLicense)\r\n")]
            }
            self.grant = grant
            phase = .authenticated
            var actions: [Action] = []
            if let days = grant.expiryWarningDays {
                let when = days == 0 ? "today" : days == 1 ? "in 1 day" : "in \(days) days"
                actions.append(
                    .send("* OK [ALERT] Your password expires \(when): change it on the account page\r\n"))
            }
            actions.append(.send("\(tag) OK [CAPABILITY \(capabilities)] Logged in\r\n"))
            return actions
        case .signedIn(let tag, .failure(let refusal)):
            phase = .notAuthenticated
            let reply = Action.send("\(tag) NO [\(Self.responseCode(for: refusal))] \(refusal)\r\n")
            return refusal == .wrongCredentials ? [.delayFailedSignIn, reply] : [reply]
        case .sessionLimitReached(let tag):
            phase = .notAuthenticated
            grant = nil
            return [.send("\(tag) NO [LIMIT] Too many sessions for this user; close another first\r\n")]
        case .tlsStarted:
            settings.isSecure = true
            settings.canStartTLS = false
            return []
        case .idleTimeout:
            phase = .logout
            return [.send("* BYE Autologout; idle for too long\r\n"), .close]
        case .shutdown:
            phase = .logout
            return [.send("* BYE Server shutting down\r\n"), .close]
        }
    }

    /// RFC 5530 response codes for sign-in refusals.
    static func responseCode(for refusal: SignInRefusal) -> String {
        switch refusal {
        case .wrongCredentials: "AUTHENTICATIONFAILED"
        case .temporaryPassword, .passwordExpired: "EXPIRED"
        case .noLicense, .blocked, .userDeleted: "CONTACTADMIN"
        case .throttled, .unavailable: "UNAVAILABLE"
        }
    }

    private mutating func handle(_ command: IMAPCommand) -> [Action] {
        let tag = command.tag
        func ok(_ text: String) -> Action { .send("\(tag) OK \(text)\r\n") }
        func bad(_ text: String) -> Action { .send("\(tag) BAD \(text)\r\n") }
        switch command.kind {
        case .capability:
            return [.send("* CAPABILITY \(capabilities)\r\n"), ok("CAPABILITY completed")]
        case .logout:
            phase = .logout
            return [.send("* BYE Logging out\r\n"), ok("LOGOUT completed"), .close]
        case .id:
            // RFC 2971 3.3: the server may answer NIL; a name helps in client logs.
            return [.send("* ID (\"name\" \"Mailgate\")\r\n"), ok("ID completed")]
        case .noop where phase != .authenticated, .check where phase != .authenticated:
            return [ok("NOOP completed")]
        default: break
        }
        switch phase {
        case .notAuthenticated: return notAuthenticated(command)
        case .authenticated: break
        case .authenticating, .signingIn, .logout: return [bad("command not valid now")]
        }
        switch command.kind {
        case .startTLS, .login, .authenticate:
            return [bad("already authenticated")]
        case .enable(let capabilities):
            // RFC 5161 3.1: only in the authenticated state; unknown capabilities are ignored.
            guard !isSelected else { return [bad("ENABLE is not valid in the selected state")] }
            // RFC 7162 3.2.3: QRESYNC implies CONDSTORE.
            let known = capabilities.filter {
                ["CONDSTORE", "QRESYNC", "IMAP4REV2"].contains($0) && !enabled.contains($0)
            }
            enabled.formUnion(known)
            if known.contains("QRESYNC") { enabled.insert("CONDSTORE") }
            let names = known.map { $0 == "IMAP4REV2" ? "IMAP4rev2" : $0 }
            return [.send("* ENABLED" + names.map { " " + $0 }.joined() + "\r\n"), ok("ENABLE completed")]
        case .fetch, .store, .copy, .move, .search, .expunge, .uidExpunge, .close, .unselect:
            guard isSelected else { return [bad("no mailbox selected")] }
            return [.execute(command)]
        default:
            return [.execute(command)]
        }
    }

    /// Marks CONDSTORE as on (RFC 7162 3.1: SELECT ... (CONDSTORE), FETCH MODSEQ and the like enable it).
    public mutating func enableCondStore() { enabled.insert("CONDSTORE") }

    private mutating func notAuthenticated(_ command: IMAPCommand) -> [Action] {
        let tag = command.tag
        switch command.kind {
        case .startTLS:
            guard settings.canStartTLS else { return [.send("\(tag) BAD STARTTLS is not available\r\n")] }
            return [.startTLS(reply: "\(tag) OK Begin TLS negotiation now\r\n")]
        case .login(let user, let password):
            // RFC 3501 6.2.3 and RFC 2595 3.2: no clear-text password before TLS.
            guard settings.isSecure else {
                return [.send("\(tag) NO [PRIVACYREQUIRED] Use STARTTLS before sending a password\r\n")]
            }
            phase = .signingIn(tag: tag)
            return [.signIn(tag: tag, user: user, password: password)]
        case .authenticate(let mechanism, let initial):
            guard mechanism == "PLAIN" else {
                return [.send("\(tag) NO [CANNOT] Unsupported authentication mechanism\r\n")]
            }
            guard settings.isSecure else {
                return [.send("\(tag) NO [PRIVACYREQUIRED] Use STARTTLS before authenticating\r\n")]
            }
            phase = .authenticating(tag: tag)
            // RFC 4959 3: "=" is an empty initial response.
            if let initial { return authenticateResponse(initial == "=" ? [] : Array(initial.utf8)) }
            return [.send("+ \r\n")]
        default:
            return [.send("\(tag) BAD Log in first\r\n")]
        }
    }

    /// RFC 4616 PLAIN: `[authzid] NUL authcid NUL passwd`, base64 (RFC 3501 6.2.2).
    private mutating func authenticateResponse(_ line: [UInt8]) -> [Action] {
        guard case .authenticating(let tag) = phase else { return [.send("* BAD unexpected continuation\r\n")] }
        phase = .notAuthenticated
        if line == Array("*".utf8) { return [.send("\(tag) BAD AUTHENTICATE cancelled\r\n")] }
        guard let data = Data(base64Encoded: Data(line)) else {
            return [.send("\(tag) BAD Invalid base64\r\n")]
        }
        let fields = Array(data).split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3,
            let authzid = String(validating: fields[0], as: UTF8.self),
            let user = String(validating: fields[1], as: UTF8.self),
            let password = String(validating: fields[2], as: UTF8.self)
        else { return [.send("\(tag) BAD Malformed PLAIN response\r\n")] }
        guard authzid.isEmpty || authzid.lowercased() == user.lowercased() else {
            return [.send("\(tag) NO [AUTHORIZATIONFAILED] Cannot act as another user\r\n")]
        }
        phase = .signingIn(tag: tag)
        return [.signIn(tag: tag, user: user, password: Secret(password))]
    }
}
