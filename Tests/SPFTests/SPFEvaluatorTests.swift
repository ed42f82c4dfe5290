import DNSClient
import SPF
import Testing

/// RFC 7208 walked section by section against an in-memory zone (../shared/STYLE.md section 4.1).
@Suite("RFC 7208 check_host()")
struct SPFEvaluatorTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var records: [String: [DNSRecordData]]
        var ip: String
        var mailFrom = "user@example.com"
        var helo = "mail.example.com"
        var expected: SPFResult.Code
        var explanation: String?
        var testDescription: String { name }

        init(
            _ name: String, _ spf: String?, ip: String, _ expected: SPFResult.Code,
            extra: [String: [DNSRecordData]] = [:], mailFrom: String = "user@example.com",
            helo: String = "mail.example.com", explanation: String? = nil
        ) {
            self.name = name
            var records = extra
            if let spf { records["example.com", default: []].append(.txt(spf)) }
            self.records = records
            self.ip = ip
            self.mailFrom = mailFrom
            self.helo = helo
            self.expected = expected
            self.explanation = explanation
        }
    }

    /// Hosts most rows share.
    static let common: [String: [DNSRecordData]] = [
        "mail.example.com": [.ip("192.0.2.10"), .ip("2001:db8::10")],
        "mx1.example.com": [.ip("192.0.2.20")],
        "mx2.example.com": [.ip("192.0.2.21"), .ip("2001:db8::21")],
        "example.com": [.mx(10, "mx1.example.com"), .mx(20, "mx2.example.com"), .ip("192.0.2.1")],
        "10.2.0.192.in-addr.arpa": [.ptr("mail.example.com"), .ptr("other.example.net")],
        "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa": [.ptr("mail.example.com")],
        "pass.example.net": [.txt("v=spf1 ip4:192.0.2.0/24 -all")],
        "fail.example.net": [.txt("v=spf1 -all")],
        "soft.example.net": [.txt("v=spf1 ~all")],
        "broken.example.net": [.txt("v=spf1 bogus")],
        "nothing.example.net": [.ip("192.0.2.99")],
        "explain.example.com": [.txt("%{l} may not send from %{c} for %{d}")],
    ]

    static let rows: [Row] = [
        // 4.3: initial processing
        Row(
            "RFC 7208 4.3: a domain with an empty label is none", "v=spf1 +all", ip: "192.0.2.10", .none,
            mailFrom: "user@example..com"),
        Row(
            "RFC 7208 4.3: a label over 63 octets is none", "v=spf1 +all", ip: "192.0.2.10", .none,
            mailFrom: "user@" + String(repeating: "a", count: 64) + ".com"),
        Row(
            "RFC 7208 4.3: an empty local-part becomes postmaster", "v=spf1 -all exp=explain.example.com",
            ip: "192.0.2.10", .fail, mailFrom: "@example.com",
            explanation: "postmaster may not send from 192.0.2.10 for example.com"),
        Row(
            "RFC 7208 2.4: an empty MAIL FROM checks postmaster@HELO", nil, ip: "192.0.2.10", .pass,
            extra: ["helo.example.org": [.txt("v=spf1 ip4:192.0.2.10 -all")]], mailFrom: "", helo: "helo.example.org"),
        Row(
            "RFC 7208 4.3: an empty MAIL FROM and a single-label HELO is none", nil, ip: "192.0.2.10", .none,
            mailFrom: "", helo: "localhost"),
        // 4.4, 4.5: record lookup and selection
        Row("RFC 7208 4.5: no TXT record is none", nil, ip: "192.0.2.10", .none, mailFrom: "user@nothing.example.net"),
        Row("RFC 7208 4.5: NXDOMAIN is none", nil, ip: "192.0.2.10", .none, mailFrom: "user@absent.example.net"),
        Row(
            "RFC 7208 4.5: two v=spf1 records are permerror", "v=spf1 +all", ip: "192.0.2.10", .permerror,
            extra: ["example.com": [.txt("v=spf1 -all")]]),
        Row("RFC 7208 4.5: v=spf10 is not a version 1 record", "v=spf10 +all", ip: "192.0.2.10", .none),
        Row("RFC 7208 4.5: the version is case-insensitive", "V=SPF1 +all", ip: "192.0.2.10", .pass),
        Row(
            "RFC 7208 4.5: other TXT records are ignored", "v=spf1 ip4:192.0.2.10", ip: "192.0.2.10", .pass,
            extra: ["example.com": [.txt("google-site-verification=abc")]]),
        Row(
            "RFC 7208 3.3: TXT strings join without separators", nil, ip: "192.0.2.10", .pass,
            extra: ["example.com": [.txt([Array("v=spf1 ip4:192.0".utf8), Array(".2.10 -all".utf8)])]]),
        // 4.6: syntax
        Row(
            "RFC 7208 4.6: a syntax error after a match is still permerror", "v=spf1 +all bogus", ip: "192.0.2.10",
            .permerror),
        Row("RFC 7208 4.6.1: a tab is not a separator", "v=spf1 ip4:192.0.2.10\t-all", ip: "192.0.2.10", .permerror),
        Row("RFC 7208 4.6.1: several spaces separate terms", "v=spf1   ip4:192.0.2.10   -all", ip: "192.0.2.10", .pass),
        Row(
            "RFC 7208 3.1: a non-ASCII byte is permerror", "v=spf1 a:ex\u{e9}mple.com -all", ip: "192.0.2.10",
            .permerror),
        // 4.6.4: limits
        Row(
            "RFC 7208 4.6.4: ten DNS-querying terms are allowed",
            "v=spf1 a a a a a a a a a a ip4:192.0.2.77 -all", ip: "192.0.2.77", .pass),
        Row(
            "RFC 7208 4.6.4: an eleventh DNS-querying term is permerror",
            "v=spf1 a a a a a a a a a a a ip4:192.0.2.77 -all", ip: "192.0.2.77", .permerror),
        Row(
            "RFC 7208 4.6.4: ip4 and all do not count", "v=spf1 a a a a a a a a a a ip4:1.2.3.4 ip4:192.0.2.77",
            ip: "192.0.2.77", .pass),
        Row(
            "RFC 7208 4.6.4: two void lookups are allowed", "v=spf1 a:v1.example.com a:v2.example.com ?all",
            ip: "192.0.2.10", .neutral),
        Row(
            "RFC 7208 4.6.4: a third void lookup is permerror",
            "v=spf1 a:v1.example.com a:v2.example.com exists:v3.example.com ?all", ip: "192.0.2.10", .permerror),
        Row(
            "RFC 7208 4.6.4: more than 10 MX names is permerror", "v=spf1 mx:many.example.com -all",
            ip: "192.0.2.10", .permerror,
            extra: ["many.example.com": (0..<11).map { .mx(UInt16($0), "mail.example.com") }]),
        Row(
            "RFC 7208 4.6.4: PTR names past the tenth are ignored", "v=spf1 ptr -all", ip: "192.0.2.30", .fail,
            extra: [
                "30.2.0.192.in-addr.arpa": (0..<10).map { .ptr("h\($0).example.org") } + [.ptr("late.example.com")],
                "late.example.com": [.ip("192.0.2.30")],
            ]),
        Row(
            "RFC 7208 4.6.4: an include loop ends in permerror", "v=spf1 include:example.com -all", ip: "192.0.2.10",
            .permerror),
        // 4.7: default
        Row("RFC 7208 4.7: no match and no redirect is neutral", "v=spf1 ip4:198.51.100.1", ip: "192.0.2.10", .neutral),
        // 5.1 all
        Row("RFC 7208 5.1: -all fails", "v=spf1 -all", ip: "192.0.2.10", .fail),
        Row("RFC 7208 5.1: ~all softfails", "v=spf1 ~all", ip: "192.0.2.10", .softfail),
        Row("RFC 7208 5.1: ?all is neutral", "v=spf1 ?all", ip: "192.0.2.10", .neutral),
        Row("RFC 7208 5.1: all takes no argument", "v=spf1 -all:foo", ip: "192.0.2.10", .permerror),
        // 5.2 include
        Row("RFC 7208 5.2: include of a pass matches", "v=spf1 include:pass.example.net -all", ip: "192.0.2.10", .pass),
        Row(
            "RFC 7208 5.2: include of a fail does not match", "v=spf1 include:fail.example.net ?all",
            ip: "192.0.2.10", .neutral),
        Row(
            "RFC 7208 5.2: include of a softfail does not match", "v=spf1 include:soft.example.net -all",
            ip: "192.0.2.10", .fail),
        Row(
            "RFC 7208 5.2: include of a permerror is permerror", "v=spf1 include:broken.example.net +all",
            ip: "192.0.2.10", .permerror),
        Row(
            "RFC 7208 5.2: include of no record is permerror", "v=spf1 include:nothing.example.net +all",
            ip: "192.0.2.10", .permerror),
        Row(
            "RFC 7208 5.2: include of a timeout is temperror", "v=spf1 include:slow.example.net +all",
            ip: "192.0.2.10", .temperror),
        Row("RFC 7208 5.2: -include of a pass fails", "v=spf1 -include:pass.example.net +all", ip: "192.0.2.10", .fail),
        // 5.3 a
        Row("RFC 7208 5.3: a matches the domain's A record", "v=spf1 a -all", ip: "192.0.2.1", .pass),
        Row("RFC 7208 5.3: a:host matches that host", "v=spf1 a:mail.example.com -all", ip: "192.0.2.10", .pass),
        Row(
            "RFC 7208 5.3: a with /24 matches the network", "v=spf1 a:mail.example.com/24 -all", ip: "192.0.2.200",
            .pass),
        Row("RFC 7208 5.3: a uses AAAA for IPv6 clients", "v=spf1 a:mail.example.com -all", ip: "2001:db8::10", .pass),
        Row(
            "RFC 7208 5.6: a dual CIDR applies //64 to IPv6", "v=spf1 a:mail.example.com/32//64 -all",
            ip: "2001:db8::ffff", .pass),
        Row("RFC 7208 5.6: a /33 is permerror", "v=spf1 a/33 -all", ip: "192.0.2.1", .permerror),
        Row("RFC 7208 5.3: a DNS failure is temperror", "v=spf1 a:slow.example.net -all", ip: "192.0.2.1", .temperror),
        // 5.4 mx
        Row("RFC 7208 5.4: mx matches an exchange's address", "v=spf1 mx -all", ip: "192.0.2.21", .pass),
        Row("RFC 7208 5.4: mx does not match other addresses", "v=spf1 mx -all", ip: "192.0.2.22", .fail),
        Row("RFC 7208 5.4: mx//48 matches an IPv6 exchange's network", "v=spf1 mx//48 -all", ip: "2001:db8::99", .pass),
        Row(
            "RFC 7505: a null MX names no host", "v=spf1 mx:null.example.com -all", ip: "192.0.2.10", .fail,
            extra: ["null.example.com": [.mx(preference: 0, exchange: .root)]]),
        // 5.5 ptr
        Row("RFC 7208 5.5: ptr matches a validated name under the domain", "v=spf1 ptr -all", ip: "192.0.2.10", .pass),
        Row("RFC 7208 5.5: ptr:domain matches names under it", "v=spf1 ptr:example.com -all", ip: "192.0.2.10", .pass),
        Row(
            "RFC 7208 5.5: an unvalidated PTR name does not match", "v=spf1 ptr:example.net -all", ip: "192.0.2.10",
            .fail),
        Row("RFC 7208 5.5: ptr works for IPv6", "v=spf1 ptr -all", ip: "2001:db8::10", .pass),
        // 5.6 ip4 / ip6
        Row("RFC 7208 5.6: ip4 with /24 matches", "v=spf1 ip4:192.0.2.0/24 -all", ip: "192.0.2.9", .pass),
        Row("RFC 7208 5.6: ip4 without a length is /32", "v=spf1 ip4:192.0.2.8 -all", ip: "192.0.2.9", .fail),
        Row("RFC 7208 5.6: ip4 /0 matches every IPv4", "v=spf1 ip4:1.1.1.1/0 -all", ip: "203.0.113.5", .pass),
        Row(
            "RFC 7208 5.6: ip4 lengths have no leading zeros", "v=spf1 ip4:192.0.2.0/024 -all", ip: "192.0.2.9",
            .permerror),
        Row("RFC 7208 5.6: a short IPv4 is permerror", "v=spf1 ip4:192.0.2 -all", ip: "192.0.2.9", .permerror),
        Row("RFC 7208 5.6: ip6 with /32 matches", "v=spf1 ip6:2001:db8::/32 -all", ip: "2001:db8:1::5", .pass),
        Row("RFC 7208 5.6: ip6 never matches an IPv4 client", "v=spf1 ip6:::/0 -all", ip: "192.0.2.9", .fail),
        Row(
            "RFC 7208 5: an IPv4-mapped IPv6 client is checked as IPv4", "v=spf1 ip4:192.0.2.9 -all",
            ip: "::ffff:192.0.2.9", .pass),
        Row("RFC 7208 5.6: ip6 /129 is permerror", "v=spf1 ip6:2001:db8::/129 -all", ip: "2001:db8::1", .permerror),
        // 5.7 exists
        Row(
            "RFC 7208 5.7: exists matches any A record", "v=spf1 exists:mail.example.com -all", ip: "203.0.113.1",
            .pass),
        Row(
            "RFC 7208 5.7: exists queries A even for IPv6 clients", "v=spf1 exists:six.example.com -all",
            ip: "2001:db8::1", .fail, extra: ["six.example.com": [.ip("2001:db8::1")]]),
        Row("RFC 7208 5.7: exists requires a domain", "v=spf1 exists -all", ip: "203.0.113.1", .permerror),
        // 6.1 redirect
        Row(
            "RFC 7208 6.1: redirect uses the target's result", "v=spf1 redirect=pass.example.net", ip: "192.0.2.10",
            .pass),
        Row(
            "RFC 7208 6.1: redirect is ignored when all is present", "v=spf1 ?all redirect=pass.example.net",
            ip: "192.0.2.10", .neutral),
        Row(
            "RFC 7208 6.1: redirect to no record is permerror", "v=spf1 redirect=nothing.example.net",
            ip: "192.0.2.10", .permerror),
        Row(
            "RFC 7208 6: a second redirect is permerror", "v=spf1 redirect=a.example.net redirect=b.example.net",
            ip: "192.0.2.10", .permerror),
        Row(
            "RFC 7208 6: unknown modifiers are ignored", "v=spf1 foo=bar%{d} ip4:192.0.2.10 -all", ip: "192.0.2.10",
            .pass),
        Row(
            "RFC 7208 6: an unknown modifier with a bad macro is permerror", "v=spf1 foo=%x -all", ip: "192.0.2.10",
            .permerror),
        // 6.2 exp
        Row(
            "RFC 7208 6.2: exp gives the fail explanation", "v=spf1 -all exp=explain.example.com", ip: "192.0.2.10",
            .fail, explanation: "user may not send from 192.0.2.10 for example.com"),
        Row(
            "RFC 7208 6.2: an exp without a TXT record falls back to the default", "v=spf1 -all exp=none.example.com",
            ip: "192.0.2.10", .fail, explanation: "example.com does not designate 192.0.2.10 as a permitted sender"),
        // 7 macros
        Row(
            "RFC 7208 7.3: %{i} and %{d2} in exists", "v=spf1 exists:%{i}.in.%{d2} -all", ip: "192.0.2.10", .pass,
            extra: ["192.0.2.10.in.example.com": [.ip("127.0.0.2")]]),
        Row(
            "RFC 7208 7.3: %{ir}.%{v} reverses the address", "v=spf1 exists:%{ir}.%{v}.rbl.example.com -all",
            ip: "192.0.2.10", .pass, extra: ["10.2.0.192.in-addr.rbl.example.com": [.ip("127.0.0.2")]]),
        Row(
            "RFC 7208 7.3: %{l1r-} splits the local-part on dashes", "v=spf1 exists:%{l1r-}.users.example.com -all",
            ip: "192.0.2.10", .pass, extra: ["first.users.example.com": [.ip("127.0.0.2")]],
            mailFrom: "first-last@example.com"),
        Row(
            "RFC 7208 7.3: %{h} is the HELO name", "v=spf1 exists:%{h}.helo.example.com -all", ip: "192.0.2.10", .pass,
            extra: ["mail.example.com.helo.example.com": [.ip("127.0.0.2")]]),
        Row(
            "RFC 7208 7.3: %{p} is a validated PTR name", "v=spf1 exists:%{p}.valid.example.com -all",
            ip: "192.0.2.10", .pass, extra: ["mail.example.com.valid.example.com": [.ip("127.0.0.2")]]),
        Row(
            "RFC 7208 7.1: %{c} is not allowed outside exp", "v=spf1 exists:%{c}.example.com -all", ip: "192.0.2.10",
            .permerror),
        Row(
            "RFC 7208 7.1: a zero digit transformer is permerror", "v=spf1 exists:%{d0}.example.com -all",
            ip: "192.0.2.10", .permerror),
        Row(
            "RFC 7208 7.1: a domain-spec must end in a top label", "v=spf1 a:example.123 -all", ip: "192.0.2.10",
            .permerror),
    ]

    @Test(arguments: rows)
    func checkHost(_ row: Row) async throws {
        var zone = InMemoryZone(Self.common)
        for (name, records) in row.records {
            for record in records { zone.add(name, record) }
        }
        zone.addTimeout("slow.example.net")
        // Uncached, all cached (the cache-only pass decides), and half cached (it must give up
        // and ask): the same verdict each time.
        let partly = Set(["example.com", "example.org"].compactMap(DNSName.init))
        for cached in [InMemoryZone.CachedNames.none, .all, .only(partly)] {
            zone.cachedNames = cached
            let evaluator = SPFEvaluator(resolver: zone)
            let ip = try #require(IPAddress(row.ip))
            let result = await evaluator.evaluate(
                ip: ip, mailFrom: row.mailFrom, helo: row.helo, receiver: "mx.receiver.test")
            #expect(result.code == row.expected, "\(cached): \(result.problem ?? "")")
            if let explanation = row.explanation {
                #expect(result.explanation == explanation)
            }
        }
    }

    @Test("RFC 7208 7.3: every macro letter expands in an explanation")
    func everyLetter() async throws {
        let zone = InMemoryZone([
            "example.com": [.txt("v=spf1 -all exp=letters.example.com")],
            "letters.example.com": [
                .txt("s=%{s} l=%{l} o=%{o} d=%{d} i=%{i} p=%{p} v=%{v} h=%{h} c=%{c} r=%{r} t=%{t} L=%{L} d1r=%{d1r}")
            ],
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa": [.ptr("host.example.com")],
            "host.example.com": [.ip("2001:db8::1")],
        ])
        let evaluator = SPFEvaluator(resolver: zone, timestamp: { 1_700_000_000 })
        let result = await evaluator.evaluate(
            ip: IPAddress("2001:db8::1")!, mailFrom: "a+b@example.com", helo: "client.example.org",
            receiver: "mx.receiver.test")
        #expect(result.code == .fail)
        #expect(
            result.explanation
                == "s=a+b@example.com l=a+b o=example.com d=example.com "
                + "i=2.0.0.1.0.D.B.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1 p=host.example.com v=ip6 "
                + "h=client.example.org c=2001:db8::1 r=mx.receiver.test t=1700000000 L=a%2Bb d1r=example")
    }

    @Test("A sender whose answers are all cached is decided from the cache, without asking")
    func decidedFromCache() async throws {
        /// Answers only from its "cache"; a real question would hang past the time limit.
        struct CacheOnly: DNSResolving {
            let zone: InMemoryZone
            func lookup(_ name: DNSName, _ type: DNSRecordType) async -> DNSLookupResult {
                try? await Task.sleep(for: .seconds(30))
                return .failure(.timeout)
            }
            func cachedResult(_ name: DNSName, _ type: DNSRecordType) -> DNSLookupResult? {
                zone.resolve(name, type)
            }
        }
        let zone = InMemoryZone([
            "example.com": [.txt("v=spf1 include:_spf.example.com -all")],
            "_spf.example.com": [.txt("v=spf1 ip4:192.0.2.0/24 -all")],
        ])
        let evaluator = SPFEvaluator(resolver: CacheOnly(zone: zone), limits: .init(timeLimit: .milliseconds(200)))
        let pass = await evaluator.evaluate(
            ip: IPAddress("192.0.2.7")!, mailFrom: "a@example.com", helo: "h.example.com", receiver: "r.test")
        #expect(pass.code == .pass)
        let fail = await evaluator.evaluate(
            ip: IPAddress("198.51.100.7")!, mailFrom: "a@example.com", helo: "h.example.com", receiver: "r.test")
        #expect(fail.code == .fail)
    }

    @Test("RFC 7208 4.6.4: the overall time limit gives temperror")
    func timeLimit() async throws {
        struct Hanging: DNSResolving {
            func lookup(_ name: DNSName, _ type: DNSRecordType) async -> DNSLookupResult {
                try? await Task.sleep(for: .seconds(30))
                return .failure(.timeout)
            }
        }
        let evaluator = SPFEvaluator(resolver: Hanging(), limits: .init(timeLimit: .milliseconds(200)))
        let start = ContinuousClock.now
        let result = await evaluator.evaluate(
            ip: IPAddress("192.0.2.1")!, mailFrom: "a@example.com", helo: "h.example.com", receiver: "r.test")
        #expect(result.code == .temperror)
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test("RFC 7208 9.1: Received-SPF field value names result, client and identity")
    func receivedSPF() {
        let result = SPFResult(
            code: .fail, explanation: "no", identity: .mailFrom, clientIP: IPAddress("192.0.2.1")!,
            sender: "user@example.com", mailFrom: "user@example.com", helo: "mail (evil)\r\nX: y",
            receiver: "mx.example.org", mechanism: "-all")
        #expect(
            result.receivedSPFFieldValue
                == "fail (mx.example.org: domain of user@example.com does not designate 192.0.2.1 as permitted sender) "
                + "client-ip=192.0.2.1; envelope-from=\"user@example.com\"; helo=\"mail (evil)??X: y\"; "
                + "receiver=mx.example.org; identity=mailfrom; mechanism=-all")
    }
}
