import Testing

@testable import MailStore

@Suite("Email addresses")
struct EmailAddressTests {
    @Test(
        "Addresses are lower-cased, trimmed and checked",
        arguments: [
            ("Ann@Example.TEST", "ann@example.test"),
            ("  bob.smith@mail.example.test\t", "bob.smith@mail.example.test"),
            ("o'hara+tag@example.test", "o'hara+tag@example.test"),
            ("\u{212A}im@example.test", "kim@example.test"),  // KELVIN SIGN lower-cases to "k"
        ])
    func accepted(text: String, expected: String) {
        #expect(EmailAddress(text)?.description == expected)
    }

    @Test(
        "What no one can sign in with is refused",
        arguments: [
            "", "@example.test", "ann@", "ann", "ann@example", ".ann@example.test", "ann.@example.test",
            "a..b@example.test", "ann@-example.test", "ann@example-.test", "ann@exa_mple.test",
            "ann@example..test", "\"ann\"@example.test", "ann(x)@example.test", "ann@exämple.test",
            String(repeating: "a", count: 65) + "@example.test",
            "a@" + String(repeating: "b", count: 64) + ".test",
        ])
    func refused(text: String) {
        #expect(EmailAddress(text) == nil)
    }

    /// The ASCII fast path must decide every ASCII text exactly as the general path does.
    @Test("The ASCII path agrees with the general path on 20,000 random texts")
    func fastPathAgrees() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("aZ09.-_@ \t+'!\"()[]\\,;:<>~".utf8)
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...24, using: &generator)
            var bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            if Bool.random(using: &generator) {
                bytes += Array("@example.test".utf8)
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let fast = EmailAddress.parseASCII(text)
            let general = EmailAddress.parseGeneral(text)
            #expect(fast?.0 == general?.0 && fast?.1 == general?.1, "\(text.debugDescription)")
        }
        // Long labels and addresses, around the limits.
        for local in [63, 64, 65] {
            for label in [62, 63, 64] {
                let text = String(repeating: "x", count: local) + "@" + String(repeating: "y", count: label) + ".test"
                #expect(EmailAddress.parseASCII(text)?.0 == EmailAddress.parseGeneral(text)?.0)
            }
        }
    }
}
