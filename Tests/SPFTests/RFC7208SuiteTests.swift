import DNSClient
import Foundation
import SPF
import Testing
import Yams

/// The openspf RFC 7208 conformance suite (pyspf's `test/rfc7208-tests.yml`), fetched by
/// `fetch-rfc7208-suite.sh` and named by `SPF_RFC7208_SUITE`; not committed.
@Suite("openspf RFC 7208 test suite")
struct RFC7208SuiteTests {
    static let path = ProcessInfo.processInfo.environment["SPF_RFC7208_SUITE"]

    struct Scenario: Sendable {
        var name: String
        var host: String
        var mailFrom: String
        var helo: String
        var results: [String]
        var explanation: String?
        var zone: InMemoryZone
    }

    @Test(
        "every scenario of rfc7208-tests.yml passes",
        .enabled(if: path != nil, "set SPF_RFC7208_SUITE to the path of rfc7208-tests.yml")
    )
    func conformance() async throws {
        let scenarios = try Self.load(try #require(Self.path))
        #expect(scenarios.count > 200)
        var passed = 0
        // Each scenario twice: asking the zone, and with every answer already in the cache
        // (the evaluator's cache-only first pass must then reach the same verdict alone).
        for (scenario, fromCache) in scenarios.flatMap({ [($0, false), ($0, true)] }) {
            var zone = scenario.zone
            zone.cachedNames = fromCache ? .all : .none
            let evaluator = SPFEvaluator(resolver: zone, defaultExplanation: "DEFAULT")
            let ip = try #require(IPAddress(scenario.host), "\(scenario.name): bad host \(scenario.host)")
            let result = await evaluator.evaluate(
                ip: ip, mailFrom: scenario.mailFrom, helo: scenario.helo, receiver: "receiver.example.com")
            let resultOK = scenario.results.contains(result.code.rawValue)
            let explanationOK = scenario.explanation == nil || scenario.explanation == result.explanation
            #expect(
                resultOK,
                "\(scenario.name) (cached: \(fromCache)): expected \(scenario.results), got \(result.code.rawValue) (\(result.problem ?? ""))"
            )
            #expect(
                explanationOK,
                "\(scenario.name): expected explanation \(scenario.explanation ?? ""), got \(result.explanation ?? "nil")"
            )
            if resultOK && explanationOK { passed += 1 }
        }
        print("RFC 7208 suite: \(passed) of \(scenarios.count * 2) scenario runs pass (each uncached and cached)")
    }

    static func load(_ path: String) throws -> [Scenario] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var scenarios: [Scenario] = []
        for document in try Yams.load_all(yaml: text) {
            guard let document = document as? [String: Any], let tests = document["tests"] as? [String: Any] else {
                continue
            }
            let zone = Self.zone(document["zonedata"] as? [String: Any] ?? [:])
            for (name, value) in tests {
                guard let test = value as? [String: Any] else { continue }
                let results: [String]
                if let list = test["result"] as? [String] {
                    results = list
                } else {
                    results = ["\(test["result"] ?? "")"]
                }
                scenarios.append(
                    Scenario(
                        name: name, host: "\(test["host"] ?? "")", mailFrom: "\(test["mailfrom"] ?? "")",
                        helo: "\(test["helo"] ?? "")", results: results, explanation: test["explanation"] as? String,
                        zone: zone))
            }
        }
        return scenarios.sorted { $0.name < $1.name }
    }

    /// The suite's zone format, read as pyspf's `testspf.py` does: `SPF` records are served as TXT unless the name
    /// lists TXT records itself (type 99 is never consulted, RFC 7208 3.1); `TXT: NONE` means no TXT.
    static func zone(_ data: [String: Any]) -> InMemoryZone {
        var zone = InMemoryZone()
        for (name, value) in data {
            zone.addName(name)
            let items = value as? [Any] ?? []
            let hasTXT = items.contains { ($0 as? [String: Any])?["TXT"] != nil }
            var generated: [DNSRecordData] = []
            for item in items {
                if let word = item as? String, word == "TIMEOUT" {
                    zone.addTimeout(name)
                    continue
                }
                guard let map = item as? [String: Any] else { continue }
                for (type, rdata) in map {
                    switch type {
                    case "TXT", "SPF":
                        let strings: [String]
                        if let list = rdata as? [Any] { strings = list.map { "\($0)" } } else { strings = ["\(rdata)"] }
                        if strings == ["NONE"] { continue }
                        let record = DNSRecordData.txt(strings.map { Array($0.utf8) })
                        if type == "TXT" {
                            zone.add(name, record)
                        } else if !hasTXT {
                            generated.append(record)
                        }
                    case "A", "AAAA":
                        if let address = IPAddress("\(rdata)") {
                            zone.add(name, address.isIPv4 ? .a(address) : .aaaa(address))
                        }
                    case "MX":
                        guard let pair = rdata as? [Any], pair.count == 2 else { continue }
                        let preference = UInt16(truncatingIfNeeded: pair[0] as? Int ?? 0)
                        zone.add(name, .mx(preference: preference, exchange: DNSName("\(pair[1])") ?? .root))
                    case "PTR":
                        if let target = DNSName("\(rdata)") { zone.add(name, .ptr(target)) }
                    case "CNAME":
                        if let target = DNSName("\(rdata)") { zone.add(name, .cname(target)) }
                    default:
                        continue
                    }
                }
            }
            for record in generated { zone.add(name, record) }
        }
        return zone
    }
}
