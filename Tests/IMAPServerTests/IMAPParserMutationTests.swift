import MailgateTesting
import Testing

@testable import IMAPServer

/// A deterministic stand-in for the libFuzzer run in `swift test`: seeded mutations of valid
/// commands through the fuzz entry point, which must never trap (STYLE.md 3).
@Suite("IMAP parser mutations")
struct IMAPParserMutationTests {
    static let corpus = [
        "a LOGIN \"ann\" {3+}\r\npwd", "a UID FETCH 1:*,4 (FLAGS BODY.PEEK[1.2.HEADER.FIELDS (A B)]<0.10>)",
        "a SEARCH CHARSET UTF-8 OR (SEEN FROM \"x\") NOT SINCE 1-Jan-2000 UID 1:*",
        "a STORE 1 (UNCHANGEDSINCE 5) +FLAGS.SILENT (\\Seen k)",
        "a LIST (SUBSCRIBED) \"\" (\"*\" %) RETURN (STATUS (MESSAGES))",
        "a APPEND INBOX (\\Seen) \" 1-Feb-2026 10:00:00 +0100\" {2}\r\nhi",
        "a SELECT INBOX (QRESYNC (1 2 1:5 (1:2 3:4)))", "a ID (\"a\" NIL)", "a AUTHENTICATE PLAIN =",
        "a FETCH 1 BINARY.PEEK[1]<0.5>", "a RENAME \"&AOk-\" b",
    ]

    @Test("20,000 seeded mutations of valid commands parse or fail, never trap")
    func mutations() {
        var generator = SplitMix64(seed: 6)
        let alphabet = Array("(){}[]<>\"\\*%:,.+-= 0123456789AZaz\r\n\u{0}".utf8)
        for round in 0..<20_000 {
            var bytes = Array(Self.corpus[round % Self.corpus.count].utf8)
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0 where !bytes.isEmpty: bytes.remove(at: position)
                case 1: bytes.insert(alphabet.randomElement(using: &generator) ?? 0, at: position)
                case 2 where !bytes.isEmpty: bytes[position] = UInt8.random(in: 0...255, using: &generator)
                default: bytes += bytes.prefix(Int.random(in: 0...8, using: &generator))
                }
            }
            bytes.withUnsafeBytes { IMAPCommandParser.fuzz($0) }
        }
    }
}
