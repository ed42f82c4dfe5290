public import Foundation

/// A domain the organisation receives mail for.
public struct DomainInfo: Sendable, Hashable {
    public var name: String
    public var addedAt: Date
    /// The value of the ownership TXT record (`mailgate-verification=...`) that `domain verify` looks for.
    public var verificationToken: String
    /// The result of the last `domain verify`; nil if never verified.
    public var lastVerification: DomainVerification?

    public init(name: String, addedAt: Date, verificationToken: String, lastVerification: DomainVerification?) {
        self.name = name
        self.addedAt = addedAt
        self.verificationToken = verificationToken
        self.lastVerification = lastVerification
    }

    public var isVerified: Bool { lastVerification?.passed ?? false }
}

/// One `domain verify` run.
public struct DomainVerification: Sendable, Hashable {
    public var at: Date
    /// Every required record was found with the right value.
    public var passed: Bool
    /// One line per record, e.g. `MX example.test: ok`.
    public var summary: String

    public init(at: Date, passed: Bool, summary: String) {
        self.at = at
        self.passed = passed
        self.summary = summary
    }
}

/// A license SKU and its counts.
public struct LicenseInfo: Sendable, Hashable {
    public var sku: String
    public var total: Int
    public var assigned: Int
    public var available: Int { total - assigned }

    public init(sku: String, total: Int, assigned: Int) {
        self.sku = sku
        self.total = total
        self.assigned = assigned
    }

    /// SKU names: letters, digits, `_`, `-` and `.`, 1 to 64 characters, kept as typed.
    public static func isValidSKU(_ sku: String) -> Bool {
        (1...64).contains(sku.count)
            && sku.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") }
    }
}
