public import DNSClient

/// The outcome of an SPF check (RFC 7208 2.6) with what a `Received-SPF:` field (RFC 7208 9.1) needs.
public struct SPFResult: Hashable, Sendable {
    /// The result word (RFC 7208 2.6, 8).
    public enum Code: String, Hashable, Sendable, CaseIterable {
        case none, neutral, pass, fail, softfail, temperror, permerror
    }

    /// Which identity was checked (RFC 7208 2.3, 2.4).
    public enum Identity: String, Hashable, Sendable {
        case mailFrom = "mailfrom"
        case helo = "helo"
    }

    /// The result word.
    public var code: Code
    /// For `fail`: the `exp=` text or the default explanation (RFC 7208 6.2); otherwise `nil`.
    public var explanation: String?
    /// The identity checked.
    public var identity: Identity
    /// The client's address (IPv4-mapped IPv6 already unmapped, RFC 7208 5/9).
    public var clientIP: IPAddress
    /// The `<sender>` checked: the MAIL FROM address, or `postmaster@<helo>`.
    public var sender: String
    /// The MAIL FROM as given (possibly empty).
    public var mailFrom: String
    /// The HELO/EHLO name as given.
    public var helo: String
    /// The receiving host, for the comment and `receiver=`.
    public var receiver: String
    /// The directive that matched, as record text (`-all`, `include:_spf.example.com`), if one did.
    public var mechanism: String?
    /// For `permerror`/`temperror`: what went wrong.
    public var problem: String?

    /// A result from its parts.
    public init(
        code: Code, explanation: String? = nil, identity: Identity, clientIP: IPAddress, sender: String,
        mailFrom: String, helo: String, receiver: String, mechanism: String? = nil, problem: String? = nil
    ) {
        self.code = code
        self.explanation = explanation
        self.identity = identity
        self.clientIP = clientIP
        self.sender = sender
        self.mailFrom = mailFrom
        self.helo = helo
        self.receiver = receiver
        self.mechanism = mechanism
        self.problem = problem
    }

    /// The value of a `Received-SPF:` header field (RFC 7208 9.1), without the field name or a line break.
    ///
    /// Client-supplied text (sender, HELO) is quoted or escaped and stripped of control characters, so the
    /// value cannot end the header early.
    public var receivedSPFFieldValue: String {
        let who = Self.commentSafe(sender)
        let ip = clientIP.description
        let host = Self.commentSafe(receiver)
        let comment: String
        switch code {
        case .pass: comment = "\(host): domain of \(who) designates \(ip) as permitted sender"
        case .fail: comment = "\(host): domain of \(who) does not designate \(ip) as permitted sender"
        case .softfail:
            comment = "\(host): transitioning domain of \(who) does not designate \(ip) as permitted sender"
        case .neutral: comment = "\(host): \(ip) is neither permitted nor denied by domain of \(who)"
        case .none: comment = "\(host): domain of \(who) does not provide an SPF record"
        case .temperror:
            comment =
                "\(host): error in processing during lookup of \(who): \(Self.commentSafe(problem ?? "DNS error"))"
        case .permerror:
            comment =
                "\(host): permanent error in processing domain of \(who): \(Self.commentSafe(problem ?? "invalid record"))"
        }
        var pairs = [
            "client-ip=\(Self.value(ip))",
            "envelope-from=\(Self.value(mailFrom))",
            "helo=\(Self.value(helo))",
            "receiver=\(Self.value(receiver))",
            "identity=\(identity.rawValue)",
        ]
        if let mechanism { pairs.append("mechanism=\(Self.value(mechanism))") }
        if let problem, code == .permerror || code == .temperror { pairs.append("problem=\(Self.value(problem))") }
        return "\(code.rawValue) (\(comment)) " + pairs.joined(separator: "; ")
    }

    /// Text safe inside a comment: no control characters, parentheses and backslashes escaped (RFC 5322 3.2.2).
    static func commentSafe(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "(", ")", "\\": out += "\\" + String(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "?"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// RFC 7208 9.1: `dot-atom / quoted-string`.
    static func value(_ text: String) -> String {
        let isDotAtom =
            !text.isEmpty && !text.hasPrefix(".") && !text.hasSuffix(".") && !text.contains("..")
            && text.utf8.allSatisfy { isAtext($0) || $0 == UInt8(ascii: ".") }
        if isDotAtom { return text }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"", "\\": out += "\\" + String(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "?"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// RFC 5322 3.2.3 atext (ASCII letters, digits and ``!#$%&'*+-/=?^_`{|}~``).
    private static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default: "!#$%&'*+-/=?^_`{|}~".utf8.contains(byte)
        }
    }
}
