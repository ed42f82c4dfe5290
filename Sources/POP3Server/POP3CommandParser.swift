import MailgateCore
public import NIOCore

/// Turns one line (without its line end) into a ``POP3Command`` or a ``POP3CommandError``.
///
/// Total and bounded: any bytes give a value or a typed error, nothing traps, and the work is
/// linear in the line, which the listener already caps. Keywords are case-insensitive
/// (RFC 1939 3); arguments are separated by spaces, leniently by several.
public enum POP3CommandParser {
    /// RFC 1939 3: arguments are up to 40 characters; an address as user name may reach 254.
    static let maximumArgumentLength = 40
    static let maximumUserNameLength = 255
    /// Enough digits for any message number or line count; more is refused, not overflowed.
    static let maximumDigits = 9

    public static func parse(_ line: ByteBuffer) -> Result<POP3Command, POP3CommandError> {
        parse(Array(line.readableBytesView))
    }

    public static func parse(_ bytes: [UInt8]) -> Result<POP3Command, POP3CommandError> {
        // Control characters (NUL, CR inside a line, ESC...) never belong in a command.
        guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return .failure(.invalidCharacters) }
        let space = UInt8(ascii: " ")
        let keywordEnd = bytes.firstIndex(of: space) ?? bytes.endIndex
        let keywordBytes = bytes[..<keywordEnd]
        guard !keywordBytes.isEmpty else { return .failure(.empty) }
        guard keywordBytes.count <= 4, keywordBytes.allSatisfy(isASCIILetter) else {
            return .failure(.unknownCommand(""))
        }
        let keyword = String(decoding: keywordBytes.map(uppercased), as: UTF8.self)
        let rest = keywordEnd < bytes.endIndex ? Array(bytes[(keywordEnd + 1)...]) : []
        guard let restText = String(validating: rest, as: UTF8.self) else { return .failure(.invalidCharacters) }
        let arguments = restText.split(separator: " ").map(String.init)

        switch keyword {
        case "PASS":
            // RFC 1939 7: "a server may treat spaces in the argument as part of the password".
            guard !restText.isEmpty else { return .failure(.missingArgument(keyword)) }
            return .success(.pass(Secret(restText)))
        case "USER":
            guard arguments.count == 1 else {
                return .failure(arguments.isEmpty ? .missingArgument(keyword) : .tooManyArguments(keyword))
            }
            guard arguments[0].utf8.count <= maximumUserNameLength else { return .failure(.argumentTooLong(keyword)) }
            return .success(.user(arguments[0]))
        case "AUTH":
            // RFC 5034 4: the initial response is not bound by the 40-character argument limit.
            guard arguments.count <= 2 else { return .failure(.tooManyArguments(keyword)) }
            guard arguments.first.map({ $0.utf8.count <= 20 }) ?? true else {
                return .failure(.argumentTooLong(keyword))
            }
            return .success(
                .auth(mechanism: arguments.first?.uppercased(), initialResponse: arguments.dropFirst().first))
        default:
            break
        }
        guard arguments.allSatisfy({ $0.utf8.count <= maximumArgumentLength }) else {
            return .failure(.argumentTooLong(keyword))
        }
        switch keyword {
        case "STLS": return noArguments(keyword, arguments, .stls)
        case "CAPA": return noArguments(keyword, arguments, .capa)
        case "QUIT": return noArguments(keyword, arguments, .quit)
        case "STAT": return noArguments(keyword, arguments, .stat)
        case "NOOP": return noArguments(keyword, arguments, .noop)
        case "RSET": return noArguments(keyword, arguments, .rset)
        case "LIST": return optionalNumber(keyword, arguments).map(POP3Command.list)
        case "UIDL": return optionalNumber(keyword, arguments).map(POP3Command.uidl)
        case "RETR": return oneNumber(keyword, arguments).map(POP3Command.retr)
        case "DELE": return oneNumber(keyword, arguments).map(POP3Command.dele)
        case "TOP":
            guard arguments.count == 2 else {
                return .failure(arguments.count < 2 ? .missingArgument(keyword) : .tooManyArguments(keyword))
            }
            guard let message = number(arguments[0]), let lines = number(arguments[1]) else {
                return .failure(.invalidNumber(keyword))
            }
            return .success(.top(message, lines: lines))
        default:
            return .failure(.unknownCommand(keyword))
        }
    }

    /// A non-negative decimal number of at most ``maximumDigits`` digits, no sign.
    static func number(_ text: String) -> Int? {
        guard (1...maximumDigits).contains(text.utf8.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) })
        else { return nil }
        return Int(text)
    }

    private static func noArguments(_ keyword: String, _ arguments: [String], _ command: POP3Command)
        -> Result<POP3Command, POP3CommandError>
    {
        arguments.isEmpty ? .success(command) : .failure(.tooManyArguments(keyword))
    }

    private static func optionalNumber(_ keyword: String, _ arguments: [String]) -> Result<Int?, POP3CommandError> {
        switch arguments.count {
        case 0: return .success(nil)
        case 1: return number(arguments[0]).map { .success($0) } ?? .failure(.invalidNumber(keyword))
        default: return .failure(.tooManyArguments(keyword))
        }
    }

    private static func oneNumber(_ keyword: String, _ arguments: [String]) -> Result<Int, POP3CommandError> {
        switch arguments.count {
        case 0: return .failure(.missingArgument(keyword))
        case 1: return number(arguments[0]).map { .success($0) } ?? .failure(.invalidNumber(keyword))
        default: return .failure(.tooManyArguments(keyword))
        }
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    private static func uppercased(_ byte: UInt8) -> UInt8 { (0x61...0x7A).contains(byte) ? byte - 0x20 : byte }

    /// The fuzz entry point (Sources/Fuzz/POP3Command): parses the bytes, then checks that what
    /// parsed encodes and parses back to the same command.
    public static func fuzz(_ bytes: UnsafeRawBufferPointer) {
        let input = Array(bytes)
        guard case .success(let command) = parse(input) else { return }
        let again = parse(Array(command.encoded.utf8))
        if again != .success(command) {
            // A round-trip failure is a bug: make the fuzzer report it.
            fatalError("round trip failed for \(command)")
        }
        _ = SASLPlain.decode(String(decoding: input, as: UTF8.self))
    }
}

extension POP3Command {
    /// The command as a client sends it, without the line end (``POP3CommandParser`` reads it back).
    public var encoded: String {
        switch self {
        case .user(let name): "USER \(name)"
        case .pass(let password): "PASS \(password.exposedValue)"
        case .auth(let mechanism, let initial):
            (["AUTH"] + [mechanism, initial].compactMap { $0 }).joined(separator: " ")
        case .stls: "STLS"
        case .capa: "CAPA"
        case .quit: "QUIT"
        case .stat: "STAT"
        case .list(let number): number.map { "LIST \($0)" } ?? "LIST"
        case .retr(let number): "RETR \(number)"
        case .dele(let number): "DELE \(number)"
        case .noop: "NOOP"
        case .rset: "RSET"
        case .top(let number, let lines): "TOP \(number) \(lines)"
        case .uidl(let number): number.map { "UIDL \($0)" } ?? "UIDL"
        }
    }
}
