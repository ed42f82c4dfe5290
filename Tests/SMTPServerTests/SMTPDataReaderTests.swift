import SMTPServer
import Testing

/// RFC 5321 4.1.1.4, 4.5.2 and 2.3.8 for the DATA reader, line by line.
@Suite("SMTP DATA reader")
struct SMTPDataReaderTests {
    /// Feeds `wire` (as the framer would: split at LF, CR kept as the CRLF flag) and returns the reader
    /// and whether the end was seen.
    func read(_ wire: String, limit: Int = 1000) -> (SMTPDataReader, ended: Bool) {
        var reader = SMTPDataReader(maximumBytes: limit)
        var rest = Array(wire.utf8)[...]
        while let newline = rest.firstIndex(of: 0x0A) {
            var line = rest[rest.startIndex..<newline]
            let crlf = line.last == 0x0D
            if crlf { line = line.dropLast() }
            rest = rest[(newline + 1)...]
            if reader.add(line: line, endsWithCRLF: crlf) { return (reader, true) }
        }
        return (reader, false)
    }

    static let cases: [(String, String, String?, SMTPDataReader.Problem?)] = [
        ("RFC 5321 4.1.1.4: CRLF.CRLF ends the data", "a\r\nb\r\n.\r\n", "a\r\nb\r\n", nil),
        ("RFC 5321 4.5.2: one leading dot is removed", "..a\r\n...\r\n.b\r\n.\r\n", ".a\r\n..\r\nb\r\n", nil),
        ("RFC 5321 4.1.1.4: an empty message", ".\r\n", "", nil),
        ("RFC 5321 2.3.8: a bare-LF line refuses the message", "a\nb\r\n.\r\n", "", .bareLineEnd),
        ("RFC 5321 2.3.8: a lone CR refuses the message", "a\rb\r\n.\r\n", "", .bareLineEnd),
        ("RFC 5321 2.3.8: LF.LF does not end the data", "a\n.\nb\r\n.\r\n", "", .bareLineEnd),
        ("RFC 5321 2.3.8: LF.CRLF does not end the data (smuggling)", "a\n.\r\nb\r\n.\r\n", "", .bareLineEnd),
        ("RFC 5321 2.3.8: CRLF.LF does not end the data", "a\r\n.\nb\r\n.\r\n", "", .bareLineEnd),
        (
            "RFC 1870 6.3: over the limit, read on to the end", String(repeating: "x\r\n", count: 20) + ".\r\n", "",
            .tooLarge
        ),
    ]

    @Test(arguments: cases)
    func reads(_ row: (name: String, wire: String, message: String?, problem: SMTPDataReader.Problem?)) {
        let (reader, ended) = read(row.wire, limit: row.problem == .tooLarge ? 30 : 1000)
        #expect(ended, "\(row.name)")
        #expect(reader.problem == row.problem, "\(row.name)")
        if row.problem == nil {
            #expect(String(decoding: reader.bytes, as: UTF8.self) == row.message, "\(row.name)")
        } else {
            #expect(reader.bytes.isEmpty, "\(row.name): nothing of a refused message is kept")
        }
    }

    @Test("RFC 1870: exactly the limit is accepted")
    func exactLimit() {
        let (reader, ended) = read("12345678\r\n.\r\n", limit: 10)
        #expect(ended)
        #expect(reader.problem == nil)
        #expect(reader.bytes.count == 10)
    }

    @Test("A line dropped by the framer refuses the message, and a following dot still ends it")
    func lineTooLong() {
        var reader = SMTPDataReader(maximumBytes: 100)
        reader.lineTooLong()
        let ended = reader.add(line: Array(".".utf8), endsWithCRLF: true)
        #expect(ended)
        #expect(reader.problem == .lineTooLong)
    }
}
