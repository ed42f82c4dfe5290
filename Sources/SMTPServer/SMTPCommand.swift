/// An SMTP command (RFC 5321 4.1.1 with SIZE, 8BITMIME, SMTPUTF8, CHUNKING and STARTTLS).
public enum SMTPCommand: Sendable, Hashable {
    case helo(String)
    case ehlo(String)
    case mail(from: SMTPMailbox?, parameters: MailParameters)
    case rcpt(to: SMTPMailbox, parameters: [String: String?])
    case data
    /// RFC 3030 2: `BDAT size [LAST]`; the chunk's octets follow the command line.
    case bdat(size: Int, last: Bool)
    case rset
    case noop
    case quit
    case vrfy(String)
    case expn(String)
    case help(String?)
    case startTLS
    /// A command this server knows of and does not offer (AUTH on the MX port, TURN, ...).
    case notImplemented(String)

    /// The MAIL FROM parameters this server advertises (RFC 1870, RFC 6152, RFC 6531).
    public struct MailParameters: Sendable, Hashable {
        /// RFC 1870 `SIZE=`: the sender's estimate of the message size in octets.
        public var size: Int?
        /// RFC 6152 `BODY=8BITMIME` (or `7BIT`).
        public var body: Body?
        /// RFC 6531 `SMTPUTF8`.
        public var smtpUTF8: Bool

        public enum Body: String, Sendable, Hashable {
            case sevenBit = "7BIT"
            case eightBitMIME = "8BITMIME"
        }

        public init(size: Int? = nil, body: Body? = nil, smtpUTF8: Bool = false) {
            self.size = size
            self.body = body
            self.smtpUTF8 = smtpUTF8
        }
    }
}

/// Why a command line was refused; each case has its reply in ``SMTPReply/init(_:)``.
public enum SMTPCommandError: Error, Sendable, Hashable {
    /// Not a command of RFC 5321 or of an advertised extension (500 5.5.2).
    case unrecognized
    /// A known command with bad arguments (501 5.5.4).
    case syntax(String)
    /// A bad MAIL FROM path (501 5.1.7).
    case badSender
    /// A bad RCPT TO path (501 5.1.3).
    case badRecipient
    /// A path over RFC 5321 4.5.3.1's lengths (501 5.5.4 / 5.1.3).
    case pathTooLong
    /// An unknown or malformed MAIL/RCPT parameter (555 5.5.4).
    case unsupportedParameter(String)
    /// A command line that is not UTF-8 or holds control characters (500 5.5.2).
    case invalidCharacters
}

/// Parses one command line (without its CRLF) into an ``SMTPCommand``.
///
/// Total and bounded: any bytes give a command or an ``SMTPCommandError``; the line is at most
/// what the session allows (RFC 5321 4.5.3.1.4, 512 octets with CRLF), checked by the caller.
/// Verbs are case-insensitive (RFC 5321 2.4); one space is expected after the verb, extra spaces
/// are tolerated as real clients send them.
public enum SMTPCommandParser {
    public static func parse(_ line: some Collection<UInt8>) -> Result<SMTPCommand, SMTPCommandError> {
        let bytes = Array(line)
        guard bytes.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }) else { return .failure(.invalidCharacters) }
        let verbEnd = bytes.firstIndex(of: UInt8(ascii: " ")) ?? bytes.endIndex
        guard verbEnd <= 10 else { return .failure(.unrecognized) }
        let verb = String(decoding: bytes[..<verbEnd], as: UTF8.self).uppercased()
        var argument = bytes[verbEnd...]
        while argument.first == UInt8(ascii: " ") { argument = argument.dropFirst() }
        while argument.last == UInt8(ascii: " ") || argument.last == 0x09 { argument = argument.dropLast() }
        let text = { String(validating: argument, as: UTF8.self) }
        switch verb {
        case "HELO", "EHLO":
            guard !argument.isEmpty, let name = text(), !name.contains(" ") else {
                return .failure(.syntax("\(verb) needs a domain or address literal"))
            }
            return .success(verb == "HELO" ? .helo(name) : .ehlo(name))
        case "MAIL": return parseMail(argument)
        case "RCPT": return parseRcpt(argument)
        case "DATA", "RSET", "QUIT", "STARTTLS":
            guard argument.isEmpty else { return .failure(.syntax("\(verb) takes no argument")) }
            switch verb {
            case "DATA": return .success(.data)
            case "RSET": return .success(.rset)
            case "QUIT": return .success(.quit)
            default: return .success(.startTLS)
            }
        case "NOOP": return .success(.noop)  // RFC 5321 4.1.1.9: any argument is ignored.
        case "VRFY", "EXPN":
            guard !argument.isEmpty, let value = text() else { return .failure(.syntax("\(verb) needs an argument")) }
            return .success(verb == "VRFY" ? .vrfy(value) : .expn(value))
        case "HELP":
            guard let value = text() else { return .failure(.invalidCharacters) }
            return .success(.help(value.isEmpty ? nil : value))
        case "BDAT": return parseBDAT(argument)
        case "AUTH", "TURN", "ETRN", "ATRN", "SEND", "SOML", "SAML", "XCLIENT", "XFORWARD":
            return .success(.notImplemented(verb))
        default:
            return .failure(.unrecognized)
        }
    }

    /// `BDAT chunk-size [SP "LAST"]` (RFC 3030 2, 4).
    static func parseBDAT(_ argument: ArraySlice<UInt8>) -> Result<SMTPCommand, SMTPCommandError> {
        let words = argument.split(separator: UInt8(ascii: " "))
        guard let size = chunkSize(words.first ?? []), words.count <= 2 else {
            return .failure(.syntax("use BDAT <size> [LAST]"))
        }
        guard words.count == 2 else { return .success(.bdat(size: size, last: false)) }
        guard String(decoding: words[1], as: UTF8.self).uppercased() == "LAST" else {
            return .failure(.syntax("use BDAT <size> [LAST]"))
        }
        return .success(.bdat(size: size, last: true))
    }

    /// How many octets follow a line that begins `BDAT <digits>`, whatever comes after the digits:
    /// the framer reads them as the chunk, so a BDAT refused for its syntax or its place in the
    /// session still has its octets taken off the wire rather than read as commands.
    public static func announcedChunkSize(_ line: some Collection<UInt8>) -> Int? {
        var rest = line[...]
        for expected in "BDAT".utf8 {
            guard let byte = rest.first, byte | 0x20 == expected | 0x20 else { return nil }
            rest = rest.dropFirst()
        }
        guard rest.first == UInt8(ascii: " ") else { return nil }
        while rest.first == UInt8(ascii: " ") { rest = rest.dropFirst() }
        return chunkSize(rest.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
    }

    /// 1*DIGIT, at most 18 digits (so it fits an Int).
    private static func chunkSize(_ digits: some Collection<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count <= 18,
            digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    /// `MAIL FROM:<reverse-path> [SP params]` (RFC 5321 4.1.1.2).
    static func parseMail(_ argument: ArraySlice<UInt8>) -> Result<SMTPCommand, SMTPCommandError> {
        guard let rest = stripPrefix("FROM:", argument) else { return .failure(.syntax("use MAIL FROM:<address>")) }
        switch SMTPPathParser.parsePath(rest, allowsNull: true) {
        case .failure(.tooLong): return .failure(.pathTooLong)
        case .failure: return .failure(.badSender)
        case .success(let (mailbox, tail)):
            var parameters = SMTPCommand.MailParameters()
            switch parseParameters(tail) {
            case .failure(let error): return .failure(error)
            case .success(let list):
                for (key, value) in list {
                    switch (key, value) {
                    case ("SIZE", let number?):
                        // RFC 1870 3: 1*20DIGIT; anything past Int is simply "too large".
                        guard !number.isEmpty, number.count <= 20, number.allSatisfy(\.isASCIIDigit) else {
                            return .failure(.unsupportedParameter("SIZE"))
                        }
                        parameters.size = Int(number) ?? Int.max
                    case ("BODY", let body?):
                        guard let value = SMTPCommand.MailParameters.Body(rawValue: body.uppercased()) else {
                            return .failure(.unsupportedParameter("BODY"))
                        }
                        parameters.body = value
                    case ("SMTPUTF8", nil):
                        parameters.smtpUTF8 = true
                    default:
                        return .failure(.unsupportedParameter(key))
                    }
                }
            }
            return .success(.mail(from: mailbox, parameters: parameters))
        }
    }

    /// `RCPT TO:<forward-path> [SP params]` (RFC 5321 4.1.1.3); no RCPT parameter is advertised.
    static func parseRcpt(_ argument: ArraySlice<UInt8>) -> Result<SMTPCommand, SMTPCommandError> {
        guard let rest = stripPrefix("TO:", argument) else { return .failure(.syntax("use RCPT TO:<address>")) }
        switch SMTPPathParser.parsePath(rest, allowsNull: false) {
        case .failure(.tooLong): return .failure(.pathTooLong)
        case .failure: return .failure(.badRecipient)
        case .success(let (mailbox, tail)):
            guard let mailbox else { return .failure(.badRecipient) }
            switch parseParameters(tail) {
            case .failure(let error): return .failure(error)
            case .success(let list):
                if let (key, _) = list.first { return .failure(.unsupportedParameter(key)) }
                return .success(.rcpt(to: mailbox, parameters: [:]))
            }
        }
    }

    /// `FROM:` / `TO:` case-insensitively, then optional spaces (a common client quirk).
    private static func stripPrefix(_ prefix: String, _ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        let expected = Array(prefix.utf8)
        guard bytes.count >= expected.count else { return nil }
        for (offset, byte) in expected.enumerated() where bytes[bytes.startIndex + offset] | 0x20 != byte | 0x20 {
            return nil
        }
        var rest = bytes.dropFirst(expected.count)
        while rest.first == UInt8(ascii: " ") { rest = rest.dropFirst() }
        return rest
    }

    /// `esmtp-param *(SP esmtp-param)`, keywords upper-cased (RFC 5321 4.1.2), at most 16.
    static func parseParameters(_ bytes: ArraySlice<UInt8>) -> Result<[(String, String?)], SMTPCommandError> {
        let words = bytes.split(separator: UInt8(ascii: " "))
        guard words.count <= 16 else { return .failure(.syntax("too many parameters")) }
        var result: [(String, String?)] = []
        for word in words {
            let equals = word.firstIndex(of: UInt8(ascii: "="))
            let keyBytes = word[word.startIndex..<(equals ?? word.endIndex)]
            guard !keyBytes.isEmpty, keyBytes.count <= 32,
                keyBytes.allSatisfy({
                    $0 < 0x80
                        && (Character(Unicode.Scalar($0)).isLetter || Character(Unicode.Scalar($0)).isNumber
                            || $0 == UInt8(ascii: "-"))
                })
            else { return .failure(.syntax("bad parameter")) }
            let key = String(decoding: keyBytes, as: UTF8.self).uppercased()
            if let equals {
                guard let value = String(validating: word[(equals + 1)...], as: UTF8.self) else {
                    return .failure(.invalidCharacters)
                }
                result.append((key, value))
            } else {
                result.append((key, nil))
            }
        }
        return .success(result)
    }

    /// The fuzz entry point (STYLE 3): parse anything, as one line and line by line; must never trap.
    public static func fuzz(_ bytes: UnsafeRawBufferPointer) {
        let input = Array(bytes)
        _ = parse(input.prefix(4096))
        for line in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).prefix(64) {
            if case .success(let command) = parse(line.last == UInt8(ascii: "\r") ? line.dropLast() : line) {
                // Round trip: what parses must encode to a line that parses to the same command.
                _ = parse(Array(SMTPCommandEncoder.encode(command).utf8))
            }
        }
        _ = announcedChunkSize(input.prefix(64))
        var chunked = SMTPChunkedMessage(maximumBytes: 1 << 16, maximumLineLength: 1000)
        for chunk in input.split(separator: 0, omittingEmptySubsequences: false).prefix(64) {
            chunk.withUnsafeBytes { chunked.append($0) }
        }
        chunked.finish()
        var reader = SMTPDataReader(maximumBytes: 1 << 16)
        for line in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).prefix(256) {
            let crlf = line.last == UInt8(ascii: "\r")
            if reader.add(line: crlf ? line.dropLast() : line, endsWithCRLF: crlf) { break }
        }
    }
}

/// Encodes a command as a client would send it (without CRLF): the pair of the parser, for tests.
public enum SMTPCommandEncoder {
    public static func encode(_ command: SMTPCommand) -> String {
        switch command {
        case .helo(let name): return "HELO \(name)"
        case .ehlo(let name): return "EHLO \(name)"
        case .mail(let from, let parameters):
            var text = "MAIL FROM:\(SMTPPathParser.encode(from))"
            if let size = parameters.size { text += " SIZE=\(size)" }
            if let body = parameters.body { text += " BODY=\(body.rawValue)" }
            if parameters.smtpUTF8 { text += " SMTPUTF8" }
            return text
        case .rcpt(let to, _): return "RCPT TO:\(SMTPPathParser.encode(to))"
        case .data: return "DATA"
        case .bdat(let size, let last): return last ? "BDAT \(size) LAST" : "BDAT \(size)"
        case .rset: return "RSET"
        case .noop: return "NOOP"
        case .quit: return "QUIT"
        case .vrfy(let value): return "VRFY \(value)"
        case .expn(let value): return "EXPN \(value)"
        case .help(let topic): return topic.map { "HELP \($0)" } ?? "HELP"
        case .startTLS: return "STARTTLS"
        case .notImplemented(let verb): return verb
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
