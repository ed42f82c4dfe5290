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
        let lowered = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard lowered.utf8.count <= 254, let at = lowered.lastIndex(of: "@") else { return nil }
        let local = lowered[..<at]
        let domain = lowered[lowered.index(after: at)...]
        guard Self.isDotAtom(local), local.utf8.count <= 64, Self.isDomain(domain) else { return nil }
        self.localPart = String(local)
        self.domain = String(domain)
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
