/// One SMTP reply (RFC 5321 4.2): a code, an enhanced status code (RFC 3463, RFC 5248) and text lines.
///
/// The enhanced code is on every reply except the greeting and the answer to EHLO/HELO, which
/// RFC 2034 3 leaves without one. `reason` is not sent: it labels refusals in the
/// `mailgate_smtp_rejected_total{reason}` metric and the log.
public struct SMTPReply: Sendable, Hashable {
    public var code: Int
    public var enhanced: String?
    public var lines: [String]
    public var reason: String?

    public init(_ code: Int, _ enhanced: String?, _ lines: [String], reason: String? = nil) {
        self.code = code
        self.enhanced = enhanced
        self.lines = lines.isEmpty ? [""] : lines
        self.reason = reason
    }

    public init(_ code: Int, _ enhanced: String?, _ text: String, reason: String? = nil) {
        self.init(code, enhanced, [text], reason: reason)
    }

    /// The wire form: `250-first` ... `250 last`, each line ending CRLF (RFC 5321 4.2.1).
    public var encoded: String {
        var out = ""
        for (index, line) in lines.enumerated() {
            let separator = index == lines.count - 1 ? " " : "-"
            // Reply text is ours, never the client's raw bytes; control characters are still stripped.
            let safe =
                line.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F }
                ? line
                : String(String.UnicodeScalarView(line.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
            out += "\(code)\(separator)"
            if let enhanced { out += enhanced + (safe.isEmpty ? "" : " ") }
            out += safe + "\r\n"
        }
        return out
    }

    /// Parses a reply encoded by ``encoded`` (tests and the encoder's round trip).
    public static func parse(_ text: String) -> SMTPReply? {
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.last == "" else { return nil }
        lines.removeLast()
        guard let first = lines.first, first.count >= 4, let code = Int(first.prefix(3)) else { return nil }
        var texts: [String] = []
        var enhanced: String?
        for (index, line) in lines.enumerated() {
            guard line.count >= 4, line.hasPrefix(String(code)) else { return nil }
            let separator = line[line.index(line.startIndex, offsetBy: 3)]
            guard separator == (index == lines.count - 1 ? " " : "-") else { return nil }
            var body = Substring(line.dropFirst(4))
            let word = body.prefix { $0 != " " }
            let parts = word.split(separator: ".", omittingEmptySubsequences: false)
            if parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }),
                word.first.map(String.init) == String(code / 100)
            {
                enhanced = String(word)
                body = body.dropFirst(word.count)
                if body.first == " " { body = body.dropFirst() }
            }
            texts.append(String(body))
        }
        return SMTPReply(code, enhanced, texts)
    }
}

extension SMTPReply {
    /// The reply for a command line the parser refused.
    public init(_ error: SMTPCommandError) {
        switch error {
        case .unrecognized: self.init(500, "5.5.2", "Command unrecognized", reason: "syntax")
        case .syntax(let text): self.init(501, "5.5.4", "Syntax error: \(text)", reason: "syntax")
        case .badSender: self.init(501, "5.1.7", "Bad sender address syntax", reason: "syntax")
        case .badRecipient: self.init(501, "5.1.3", "Bad recipient address syntax", reason: "syntax")
        case .pathTooLong: self.init(501, "5.5.4", "Path too long (RFC 5321 4.5.3.1)", reason: "syntax")
        case .unsupportedParameter(let name):
            self.init(555, "5.5.4", "Parameter \(name) not recognized or malformed", reason: "syntax")
        case .invalidCharacters: self.init(500, "5.5.2", "Invalid characters in command", reason: "syntax")
        }
    }
}
