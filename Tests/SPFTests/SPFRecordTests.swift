import DNSClient
import MailgateTesting
import SPF
import Testing

@Suite("SPF record parser")
struct SPFRecordTests {
    @Test(
        "parse(description) round-trips",
        arguments: [
            "v=spf1 -all",
            "v=spf1 a mx/24//64 ptr:example.com ip4:192.0.2.0/24 ip6:2001:db8::/32 ~include:_spf.example.net ?exists:%{ir}.%{l1r-}.%{D2} redirect=example.org exp=explain.%{d}",
            "v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all",
            "v=spf1 foo=bar%{h} ip6:::ffff:1.2.3.4",
        ])
    func roundTrip(_ text: String) throws {
        let record = try SPFRecord.parse(Array(text.utf8))
        #expect(try SPFRecord.parse(Array(record.description.utf8)) == record)
    }

    @Test(
        "RFC 7208 12: syntax errors are refused",
        arguments: [
            "v=spf1 ip4:1.2.3.4/33", "v=spf1 a//129", "v=spf1 include", "v=spf1 exists:", "v=spf1 a:foo%",
            "v=spf1 a:%{z}",
            "v=spf1 a:%{d", "v=spf1 1up=foo", "v=spf1 =all", "v=spf1 -all.", "v=spf1 ptr/0",
            "v=spf1 exp=a.com exp=b.com",
            "v=spf1 ip6:1.2.3.4", "v=spf1 ip4:::1", "v=spf1 a:museum", "v=spf1 redirect=-all", "v=spf2 -all",
        ])
    func refused(_ text: String) {
        #expect(throws: SPFSyntaxError.self) { try SPFRecord.parse(Array(text.utf8)) }
    }

    @Test("the fuzz entry point survives hostile input")
    func fuzzSmoke() {
        var generator = SplitMix64(seed: 7)
        let alphabet = Array("v=spf1 %{}:/.-+~?aimpxdlsortheAIMPX0123456789=_,".utf8)
        for _ in 0..<20_000 {
            let length = Int(generator.next() % 40)
            let bytes = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            bytes.withUnsafeBytes { SPFRecord.fuzz($0) }
        }
    }
}
