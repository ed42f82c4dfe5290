import Foundation
import Testing

@testable import IMAPServer

@Suite("SEARCH text matching")
struct IMAPTextMatchTests {
    @Test("The ASCII path answers as Foundation does, on 30,000 random haystacks and needles")
    func asciiAgreesWithFoundation() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("aAbBzZ09 .-\t\r\n".utf8)
        for round in 0..<30_000 {
            let haystack = (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                alphabet.randomElement(using: &generator)!
            }
            var needle = (0..<Int.random(in: 0...4, using: &generator)).map { _ in
                alphabet.randomElement(using: &generator)!
            }
            // Often a real substring, with its case changed.
            if round % 2 == 0, haystack.count > 3 {
                let start = Int.random(in: 0..<(haystack.count - 2), using: &generator)
                needle = haystack[start..<(start + 2)].map { $0 ^ (Bool.random(using: &generator) ? 0x20 : 0) }
            }
            let needleText = String(decoding: needle, as: UTF8.self)
            let foundation = IMAPTextMatch.contains(String(decoding: haystack, as: UTF8.self), needleText)
            #expect(
                IMAPTextMatch.contains(haystack[...], needleText) == foundation,
                "\(String(decoding: haystack, as: UTF8.self).debugDescription) / \(needleText.debugDescription)")
        }
    }

    @Test("Non-ASCII on either side goes Foundation's way: Unicode case folding still applies")
    func unicodeFallsBack() {
        #expect(IMAPTextMatch.asciiContains(Array("Stra\u{DF}e".utf8)[...], "strasse") == nil)
        #expect(IMAPTextMatch.contains(Array("\u{212A}elvin".utf8)[...], "kelvin"))
        #expect(IMAPTextMatch.contains(Array("Hello World".utf8)[...], "WORLD"))
        #expect(IMAPTextMatch.asciiContains(Array("Hello World".utf8)[...], "WORLD") == true)
        #expect(IMAPTextMatch.asciiContains(Array("Hello".utf8)[...], "x\r\ny") == nil)
        #expect(!IMAPTextMatch.contains(Array("Hello".utf8)[...], "Help"))
    }
}
