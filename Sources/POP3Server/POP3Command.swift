public import MailgateCore

/// A POP3 command (RFC 1939 sections 4-7, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH).
///
/// APOP is not a command here: it needs plain stored passwords, so it parses as unknown.
public enum POP3Command: Sendable, Equatable {
    case user(String)
    /// RFC 1939 7: the whole rest of the line, spaces included, is the password.
    case pass(Secret)
    /// `AUTH` alone lists the mechanisms (the RFC 1734 habit clients still use); the initial
    /// response is RFC 5034's, `=` standing for an empty one.
    case auth(mechanism: String?, initialResponse: String?)
    case stls
    case capa
    case quit
    case stat
    case list(Int?)
    case retr(Int)
    case dele(Int)
    case noop
    case rset
    case top(Int, lines: Int)
    case uidl(Int?)
}

/// Why a line is not a command; each case is a `-ERR` reply's text.
public enum POP3CommandError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    /// Control characters, or bytes that are not UTF-8.
    case invalidCharacters
    case unknownCommand(String)
    case missingArgument(String)
    case tooManyArguments(String)
    case invalidNumber(String)
    /// An argument longer than RFC 1939's 40 characters (user names get 255).
    case argumentTooLong(String)

    public var description: String {
        switch self {
        case .empty: "empty command"
        case .invalidCharacters: "command contains invalid characters"
        case .unknownCommand: "unknown command"
        case .missingArgument(let command): "\(command): missing argument"
        case .tooManyArguments(let command): "\(command): too many arguments"
        case .invalidNumber(let command): "\(command): invalid number"
        case .argumentTooLong(let command): "\(command): argument too long"
        }
    }
}
