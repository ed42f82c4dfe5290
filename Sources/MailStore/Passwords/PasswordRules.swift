public import MailgateCore

/// The organisation's rules for a password a person sets (administrator's guide, "Change your
/// password"): at least 8 characters, upper- and lower-case letters, a digit or a symbol, no
/// whitespace, not the user name. The guide's 16-character maximum is dated; long passphrases
/// are allowed up to 256 characters.
public enum PasswordRules {
    public static let minimumLength = 8
    public static let maximumLength = 256

    /// The rule a password breaks, with the sentence that tells the user.
    public enum Violation: Error, Sendable, Hashable, CustomStringConvertible {
        case tooShort
        case tooLong
        case missingUppercase
        case missingLowercase
        case missingDigitOrSymbol
        case containsWhitespace
        case containsUserName

        public var description: String {
            switch self {
            case .tooShort: "the password must have at least \(PasswordRules.minimumLength) characters"
            case .tooLong: "the password must have at most \(PasswordRules.maximumLength) characters"
            case .missingUppercase: "the password must contain an upper-case letter"
            case .missingLowercase: "the password must contain a lower-case letter"
            case .missingDigitOrSymbol: "the password must contain a digit or a symbol"
            case .containsWhitespace: "the password must not contain spaces, tabs or line breaks"
            case .containsUserName: "the password must not contain the user name (the part of the address before @)"
            }
        }
    }

    /// The first rule `password` breaks for the user `address`, or nil if it is acceptable.
    public static func violation(of password: Secret, for address: EmailAddress) -> Violation? {
        let text = password.exposedValue
        if text.count < minimumLength { return .tooShort }
        if text.count > maximumLength { return .tooLong }
        if text.contains(where: { $0.isWhitespace }) { return .containsWhitespace }
        if !text.contains(where: { $0.isUppercase }) { return .missingUppercase }
        if !text.contains(where: { $0.isLowercase }) { return .missingLowercase }
        if !text.contains(where: { !$0.isLetter }) { return .missingDigitOrSymbol }
        // The guide says "not the user name"; containing it is refused too, for names long
        // enough to mean something (a one-letter local part would forbid that letter).
        let localPart = address.localPart.lowercased()
        if localPart.count >= 3, text.lowercased().contains(localPart) { return .containsUserName }
        return nil
    }

    /// A new temporary password that keeps the rules: 12 characters from an alphabet without
    /// look-alikes (0/O, 1/l/I), about 68 bits of entropy.
    public static func temporaryPassword(for address: EmailAddress) -> Secret {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        while true {
            let candidate = Secret(String((0..<12).map { _ in alphabet.randomElement(using: &generator)! }))
            if violation(of: candidate, for: address) == nil { return candidate }
        }
    }
}
