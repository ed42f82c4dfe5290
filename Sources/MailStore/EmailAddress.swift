import Foundation

/// An email address as Mailgate keys users and aliases by it: `local@domain`, lower-cased.
///
/// Mailgate treats local parts case-insensitively (RFC 5321 2.4 allows it; every hosted suite
/// does it), so `Ann@Example.test` and `ann@example.test` are one user. Only addresses a
/// person can sign in with are accepted: a dot-atom local part (RFC 5322 3.4.1) of at most
/// 64 octets and a host name domain, 254 octets in all.
public struct EmailAddress: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let localPart: String
    public let domain: String

    public init?(_ text: String) {
        guard let (local, domain) = Self.parseASCII(text) ?? Self.parseGeneral(text) else { return nil }
        self.localPart = local
        self.domain = domain
    }

    /// Any text: trimmed, lower-cased as Unicode, then checked.
    static func parseGeneral(_ text: String) -> (String, String)? {
        let lowered = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard lowered.utf8.count <= 254, let at = lowered.lastIndex(of: "@") else { return nil }
        let local = lowered[..<at]
        let domain = lowered[lowered.index(after: at)...]
        guard Self.isDotAtom(local), local.utf8.count <= 64, Self.isDomain(domain) else { return nil }
        return (String(local), String(domain))
    }

    /// The common case, an all-ASCII address, in one pass over its bytes (SMTP resolves one per
    /// RCPT). Returns nil for anything else, which the general path then decides: Unicode
    /// lower-casing can turn a non-ASCII letter into an ASCII one (U+212A KELVIN SIGN is `k`).
    static func parseASCII(_ text: String) -> (String, String)? {
        var bytes = Array(text.utf8)
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        let start = bytes.firstIndex { $0 != 0x20 && $0 != 0x09 } ?? bytes.endIndex
        let trimmed = bytes[start...]
        guard trimmed.count <= 254, let at = trimmed.lastIndex(of: UInt8(ascii: "@")) else { return nil }
        var local = Array(trimmed[..<at])
        var domain = Array(trimmed[(at + 1)...])
        for index in local.indices { local[index] = asciiLowercase(local[index]) }
        for index in domain.indices { domain[index] = asciiLowercase(domain[index]) }
        guard local.count <= 64, isDotAtom(local), isDomain(domain) else { return nil }
        return (String(decoding: local, as: UTF8.self), String(decoding: domain, as: UTF8.self))
    }

    private static func asciiLowercase(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// `atext` (below) as a table over ASCII.
    private static let atextTable: [Bool] = (0..<128).map { atext.contains(Character(Unicode.Scalar(UInt8($0)))) }

    private static func isDotAtom(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty, bytes.first != UInt8(ascii: "."), bytes.last != UInt8(ascii: ".") else { return false }
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if previous == byte { return false }
            } else if !atextTable[Int(byte)] {
                return false
            }
            previous = byte
        }
        return true
    }

    private static func isDomain(_ bytes: [UInt8]) -> Bool {
        guard bytes.count <= 253 else { return false }
        var labels = 0
        for label in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.count <= 63, label.first != UInt8(ascii: "-"),
                label.last != UInt8(ascii: "-"),
                label.allSatisfy({ byte in
                    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                        || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
                })
            else { return false }
            labels += 1
        }
        return labels >= 2
    }

    public var description: String { "\(localPart)@\(domain)" }

    public static func < (lhs: EmailAddress, rhs: EmailAddress) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let address = EmailAddress(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad address"))
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Replaces the domain: `user rename` to another of the organisation's domains.
    public func withDomain(_ newDomain: String) -> EmailAddress? { EmailAddress("\(localPart)@\(newDomain)") }

    /// RFC 5322 3.2.3 atext, without the characters no mail client lets a user type in a sign-in name.
    private static let atext = Set("abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-/=?^_`{|}~")

    static func isDotAtom(_ text: Substring) -> Bool {
        !text.isEmpty
            && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { atom in
                !atom.isEmpty && atom.allSatisfy { atext.contains($0) }
            }
    }

    /// A host name of at least two labels (RFC 1123 2.1).
    public static func isDomain(_ text: Substring) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && text.utf8.count <= 253
            && labels.allSatisfy { label in
                !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
    }
}
