import DNSClient
import MailgateTesting
import Testing

@Suite("DNS message codec")
struct DNSMessageTests {
    static let sample = DNSMessage(
        id: 0xBEEF, isResponse: true, isAuthoritative: true, recursionAvailable: true,
        questions: [DNSQuestion(name: DNSName("example.com")!, type: .txt)],
        answers: [
            DNSRecord(
                name: DNSName("example.com")!, ttl: 300, data: .txt([Array("v=spf1 ".utf8), Array("-all".utf8), []])),
            DNSRecord(name: DNSName("example.com")!, ttl: 60, data: .a(IPAddress("192.0.2.1")!)),
            DNSRecord(name: DNSName("example.com")!, ttl: 60, data: .aaaa(IPAddress("2001:db8::1")!)),
            DNSRecord(
                name: DNSName("example.com")!, ttl: 60, data: .mx(preference: 10, exchange: DNSName("mx.example.com")!)),
            DNSRecord(name: DNSName("1.2.0.192.in-addr.arpa")!, ttl: 60, data: .ptr(DNSName("host.example.com")!)),
            DNSRecord(name: DNSName("www.example.com")!, ttl: 60, data: .cname(DNSName("example.com")!)),
        ],
        authorities: [
            DNSRecord(
                name: DNSName("example.com")!, ttl: 3600,
                data: .soa(
                    .init(
                        primary: DNSName("ns.example.com")!, mailbox: DNSName("hostmaster.example.com")!, serial: 1,
                        refresh: 2, retry: 3, expire: 4, minimum: 5)))
        ],
        additionals: [DNSRecord(name: .root, recordClass: 1232, ttl: 0, data: .other(type: .opt, bytes: []))]
    )

    @Test("decode(encode(message)) == message")
    func roundTrip() throws {
        let bytes = try Self.sample.encode()
        #expect(try DNSMessage.decode(bytes) == Self.sample)
    }

    /// Header for a response with one question and one answer.
    static let header: [UInt8] = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]
    /// "example.com" IN A at offset 12.
    static let question: [UInt8] = [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0, 0, 1, 0, 1]

    @Test("RFC 1035 4.1.4: a backwards compression pointer is followed")
    func compression() throws {
        let answer: [UInt8] = [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]
        let message = try DNSMessage.decode(Self.header + Self.question + answer)
        #expect(message.answers.first?.name == DNSName("example.com"))
        #expect(message.answers.first?.data == .a(IPAddress("192.0.2.1")!))
    }

    @Test(
        "hostile names are refused, not followed",
        arguments: [
            ("a pointer to itself", [0xC0, 29] as [UInt8], DNSMessageError.compressionPointerNotBackwards),
            ("a forward pointer", [0xC0, 40], .compressionPointerNotBackwards),
            ("a pointer past the end", [0xFF, 0xFF], .compressionPointerNotBackwards),
            ("an extended label type", [0x40, 1], .unsupportedLabelType),
        ])
    func hostileNames(_ name: String, _ answerName: [UInt8], _ expected: DNSMessageError) {
        let answer = answerName + [0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]
        #expect(throws: expected, "\(name)") { try DNSMessage.decode(Self.header + Self.question + answer) }
    }

    @Test("RFC 1035 4.1.4: a chain of pointers that turns forward again is refused")
    func pointerLoop() {
        // Offset 29: "a" then a pointer to 12+13=25 region... build two names pointing at each other.
        var bytes = Self.header + Self.question  // 29 bytes
        // answer name at 29: label "x" then pointer to 33; at 33: pointer to 29 (backwards from 33, but after a jump to 33 > 29).
        bytes += [1, UInt8(ascii: "x"), 0xC0, 33, 0xC0, 29]
        #expect(throws: DNSMessageError.self) { try DNSMessage.decode(bytes) }
    }

    @Test("a name over 255 bytes is refused")
    func longName() {
        var bytes: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        for _ in 0..<5 { bytes += [63] + Array(repeating: UInt8(ascii: "a"), count: 63) }
        bytes += [0, 0, 1, 0, 1]
        #expect(throws: DNSMessageError.nameTooLong) { try DNSMessage.decode(bytes) }
    }

    @Test("every truncation of a valid message is an error, never a trap")
    func truncations() throws {
        let bytes = try Self.sample.encode()
        for length in 0..<bytes.count {
            #expect(throws: DNSMessageError.self) { try DNSMessage.decode(bytes[0..<length]) }
        }
    }

    @Test("counts larger than the message are refused before allocation")
    func hugeCounts() {
        let bytes: [UInt8] = [0, 1, 0x81, 0x80, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(throws: DNSMessageError.truncated) { try DNSMessage.decode(bytes) }
    }

    @Test("RDATA whose length disagrees with its type is refused", arguments: [3, 5] as [UInt8])
    func badRDataLength(_ length: UInt8) {
        let answer: [UInt8] = [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, length] + Array(repeating: 1, count: Int(length))
        #expect(throws: DNSMessageError.badRecordData(.a)) {
            try DNSMessage.decode(Self.header + Self.question + answer)
        }
    }

    @Test("a TXT string running past its RDATA is refused")
    func txtOverrun() {
        let answer: [UInt8] = [0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, 3, 5, 65, 66]
        #expect(throws: DNSMessageError.badRecordData(.txt)) {
            try DNSMessage.decode(Self.header + Self.question + answer)
        }
    }

    @Test("bytes after the last record are refused")
    func trailing() throws {
        #expect(throws: DNSMessageError.trailingBytes) { try DNSMessage.decode(try Self.sample.encode() + [0]) }
    }

    @Test("random mutations of a valid message never trap")
    func mutations() throws {
        let bytes = try Self.sample.encode()
        var generator = SplitMix64(seed: 42)
        for _ in 0..<20_000 {
            var mutated = bytes
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                mutated[Int(generator.next() % UInt64(mutated.count))] = UInt8(truncatingIfNeeded: generator.next())
            }
            mutated.withUnsafeBytes { DNSMessage.fuzz($0) }
        }
    }

    @Test("IP addresses parse strictly and print canonically")
    func addresses() {
        #expect(IPAddress("192.0.2.1")?.description == "192.0.2.1")
        #expect(IPAddress("192.0.2.01") == nil)
        #expect(IPAddress("192.0.2") == nil)
        #expect(IPAddress("256.0.0.1") == nil)
        #expect(IPAddress("2001:DB8:0:0:0:0:0:1")?.description == "2001:db8::1")
        #expect(IPAddress("2001:db8:0:1:0:0:0:1")?.description == "2001:db8:0:1::1")
        #expect(IPAddress("::")?.description == "::")
        #expect(IPAddress("::ffff:192.0.2.1")?.unmappingIPv4 == IPAddress("192.0.2.1"))
        #expect(IPAddress("1::2::3") == nil)
        #expect(IPAddress(":1::2") == nil)
        #expect(IPAddress("1:2:3:4:5:6:7:8:9") == nil)
    }
}
