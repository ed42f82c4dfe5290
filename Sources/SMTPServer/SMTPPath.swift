/// A mailbox of an SMTP path (RFC 5321 4.1.2 `Mailbox`, RFC 6531 3.3 with UTF-8): `local@domain`.
///
/// The local part is kept as sent (a quoted string keeps its quotes); the domain is a host name
/// or an address literal (`[192.0.2.1]`). Codec type: no store, no I/O.
public struct SMTPMailbox: Sendable, Hashable, CustomStringConvertible {
    /// The local part as sent, quotes included for a quoted string.
    public var localPart: String
    /// The domain, or an address literal with its brackets.
    public var domain: String

    public init(localPart: String, domain: String) {
        self.localPart = localPart
        self.domain = domain
    }

    public var description: String { "\(localPart)@\(domain)" }

    /// True when any octet is outside ASCII: such a path needs the SMTPUTF8 parameter (RFC 6531 3.4).
    public var isInternationalized: Bool { !description.utf8.allSatisfy { $0 < 0x80 } }
}

/// Why a path was refused (RFC 5321 4.1.2 syntax, 4.5.3.1 lengths).
public enum SMTPPathError: Error, Sendable, Hashable {
    case syntax
    case tooLong
}

/// Parses and encodes `Reverse-path` and `Forward-path` (RFC 5321 4.1.2).
///
/// Bounded: the path may be at most ``maximumPathLength`` octets (RFC 5321 4.5.3.1.3), the local
/// part 64 (4.5.3.1.1) and the domain 255 (4.5.3.1.2). A source route (`<@a,@b:user@c>`) is accepted
/// and dropped, as RFC 5321 4.1.2 and appendix C ask.
public enum SMTPPathParser {
    public static let maximumPathLength = 256
    static let maximumLocalPartLength = 64
    static let maximumDomainLength = 255

    /// `<mailbox>` or `<>` (nil: the null reverse-path). The text starts at `<`; `rest` is what follows `>`.
    static func parsePath(_ bytes: ArraySlice<UInt8>, allowsNull: Bool) -> Result<
        (mailbox: SMTPMailbox?, rest: ArraySlice<UInt8>), SMTPPathError
    > {
        guard bytes.first == UInt8(ascii: "<") else {
            // Lenient (as Postfix without strict_rfc821_envelopes): a bare address up to the first space.
            let end = bytes.firstIndex(of: UInt8(ascii: " ")) ?? bytes.endIndex
            let text = bytes[bytes.startIndex..<end]
            guard !text.isEmpty, !text.contains(UInt8(ascii: ">")) else { return .failure(.syntax) }
            guard text.count <= maximumPathLength else { return .failure(.tooLong) }
            return parseMailbox(text).map { ($0, bytes[end...]) }
        }
        let inner = bytes.dropFirst()
        guard let close = closingBracket(inner) else { return .failure(.syntax) }
        var path = inner[inner.startIndex..<close]
        let rest = inner[(close + 1)...]
        guard path.count + 2 <= maximumPathLength else { return .failure(.tooLong) }
        if path.isEmpty {
            return allowsNull ? .success((nil, rest)) : .failure(.syntax)
        }
        if path.first == UInt8(ascii: "@") {
            // RFC 5321 4.1.2 A-d-l: "@one,@two:" is read and ignored.
            guard let colon = path.firstIndex(of: UInt8(ascii: ":")) else { return .failure(.syntax) }
            path = path[(colon + 1)...]
        }
        return parseMailbox(path).map { ($0, rest) }
    }

    /// The index of the `>` closing the path, skipping quoted strings (a `>` may be quoted).
    private static func closingBracket(_ bytes: ArraySlice<UInt8>) -> Int? {
        var quoted = false
        var escaped = false
        for index in bytes.indices {
            let byte = bytes[index]
            if escaped {
                escaped = false
            } else if quoted && byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if !quoted && byte == UInt8(ascii: ">") {
                return index
            }
        }
        return nil
    }

    /// `Local-part "@" ( Domain / address-literal )`.
    static func parseMailbox(_ bytes: ArraySlice<UInt8>) -> Result<SMTPMailbox, SMTPPathError> {
        guard let at = lastUnquotedAt(bytes) else { return .failure(.syntax) }
        let local = bytes[bytes.startIndex..<at]
        let domain = bytes[(at + 1)...]
        guard local.count <= maximumLocalPartLength, domain.count <= maximumDomainLength else {
            return .failure(.tooLong)
        }
        guard isLocalPart(local), isDomain(domain) || isAddressLiteral(domain),
            let localText = String(validating: local, as: UTF8.self),
            let domainText = String(validating: domain, as: UTF8.self)
        else { return .failure(.syntax) }
        return .success(SMTPMailbox(localPart: localText, domain: domainText))
    }

    private static func lastUnquotedAt(_ bytes: ArraySlice<UInt8>) -> Int? {
        var quoted = false
        var escaped = false
        var found: Int?
        for index in bytes.indices {
            let byte = bytes[index]
            if escaped {
                escaped = false
            } else if quoted && byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if !quoted && byte == UInt8(ascii: "@") {
                found = index
            }
        }
        return quoted ? nil : found
    }

    private static let atextSymbols = Set("!#$%&'*+-/=?^_`{|}~".utf8)

    /// RFC 5321 `atext` (RFC 5322 3.2.3) plus UTF-8 (RFC 6531 3.3 `UTF8-non-ascii`).
    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case 0x80...0xF4: return true
        default: return atextSymbols.contains(byte)
        }
    }

    /// `Dot-string / Quoted-string`.
    static func isLocalPart(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first else { return false }
        if first == UInt8(ascii: "\"") {
            guard bytes.count >= 2, bytes.last == UInt8(ascii: "\"") else { return false }
            var escaped = false
            for byte in bytes.dropFirst().dropLast() {
                if escaped {
                    guard byte >= 0x20 && byte != 0x7F else { return false }
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") || byte < 0x20 || byte == 0x7F {
                    return false
                }
            }
            return !escaped
        }
        return bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy { atom in
            !atom.isEmpty && atom.allSatisfy(isAtext)
        }
    }

    /// `sub-domain *("." sub-domain)`, sub-domains of letters, digits and inner hyphens (or UTF-8 U-labels).
    static func isDomain(_ bytes: ArraySlice<UInt8>) -> Bool {
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return !labels.isEmpty
            && labels.allSatisfy { label in
                guard let first = label.first, let last = label.last, label.count <= 63 else { return false }
                return first != UInt8(ascii: "-") && last != UInt8(ascii: "-")
                    && label.allSatisfy { byte in
                        byte >= 0x80 && byte <= 0xF4 || byte == UInt8(ascii: "-")
                            || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
                            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    }
            }
    }

    /// `"[" ( IPv4 / "IPv6:" IPv6 / tag ":" dcontent ) "]"`: checked for shape, printable ASCII.
    static func isAddressLiteral(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 3, bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") else { return false }
        return bytes.dropFirst().dropLast().allSatisfy {
            $0 >= 33 && $0 <= 126 && $0 != UInt8(ascii: "[") && $0 != UInt8(ascii: "]") && $0 != UInt8(ascii: "\\")
        }
    }

    /// `<local@domain>`, or `<>` for nil.
    public static func encode(_ mailbox: SMTPMailbox?) -> String {
        guard let mailbox else { return "<>" }
        return "<\(mailbox)>"
    }
}
