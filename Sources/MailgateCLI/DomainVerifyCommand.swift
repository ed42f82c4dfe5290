import ArgumentParser
import DNSClient
import Foundation
import MailStore
import MailgateCore

/// `domain verify DOMAIN`: looks up the records `domain records` says to publish and marks each
/// ok, missing or wrong; exit 1 if a required one is not ok. The result is kept for `domain list`.
struct DomainVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the domain's DNS records through dns.resolver; exit 1 if a required one is not ok.")
    @OptionGroup var options: ConfigOption
    @OptionGroup var output: OutputOptions
    @Argument var domain: String

    struct Check: Encodable {
        var type: String
        var name: String
        var expected: String
        var status: String
        var found: [String]
        var required: Bool
    }

    struct Report: Encodable {
        var domain: String
        var verified: Bool
        var records: [Check]
    }

    func run() async throws {
        let context = try await AdminContext.open(options)
        guard let info = try await context.store.domain(domain) else {
            throw StoreRefusal.domainUnknown(domain.lowercased())
        }
        // The configuration AdminContext already loaded, not a second read of the file.
        let dns = context.config.dns
        let resolverText =
            switch dns.resolver {
            case .system: "system"
            case .server(let server): server.description
            }
        let resolver: DNSStubResolver
        do {
            resolver = DNSStubResolver(
                configuration: try DNSResolverConfiguration.parse(resolverText, timeoutSeconds: dns.timeoutSeconds),
                cache: nil)
        } catch {
            throw RefusedOperation("dns.resolver: \(error)")
        }
        var checks: [Check] = []
        for record in DomainRecords.records(for: info, config: context.config) {
            checks.append(await DomainRecordCheck.check(record, resolver: resolver))
        }
        let verified = checks.allSatisfy { !$0.required || $0.status == "ok" }
        let summary = checks.map { "\($0.type) \($0.name): \($0.status)" }.joined(separator: "\n")
        try await context.store.recordVerification(
            DomainVerification(at: Date(), passed: verified, summary: summary), for: info.name)
        if output.json {
            try Output.json(Report(domain: info.name, verified: verified, records: checks))
        } else {
            Output.table(
                ["TYPE", "NAME", "STATUS", "EXPECTED", "FOUND"],
                checks.map {
                    [
                        $0.type, $0.name, $0.status + ($0.required ? "" : " (optional)"), $0.expected,
                        $0.found.joined(separator: " | ").ifEmpty("-"),
                    ]
                })
            print(
                verified
                    ? "\(info.name) is verified"
                    : "\(info.name) is not verified yet; DNS changes can take up to 72 hours to be seen")
        }
        if !verified { throw ExitCode(1) }
    }
}

/// Compares one published record with what DNS answers.
enum DomainRecordCheck {
    static let srvType = DNSRecordType(rawValue: 33)

    static func check(_ record: DNSRecordToPublish, resolver: some DNSResolving) async -> DomainVerifyCommand.Check {
        var check = DomainVerifyCommand.Check(
            type: record.type, name: record.name,
            expected: (record.priority.map { "\($0) " } ?? "") + record.value, status: "missing", found: [],
            required: record.required)
        guard let name = DNSName(record.name) else {
            check.status = "wrong (not a DNS name)"
            return check
        }
        let type: DNSRecordType =
            switch record.type {
            case "MX": .mx
            case "CNAME": .cname
            case "SRV": srvType
            default: .txt
            }
        switch await resolver.lookup(name, type) {
        case .failure(let failure):
            check.status = "unknown (\(failure))"
            return check
        case .noData, .nameError:
            return check
        case .records(let answers):
            let found = answers.compactMap { render($0, purpose: record.purpose) }
            check.found = found
            if record.type == "TXT" {
                // Other TXT records at the name (another service's) are no problem; only ours is looked for.
                let relevant = found.filter { matchesPurpose($0, record.purpose) }
                check.found = relevant
                if relevant.isEmpty { return check }
            }
            if found.isEmpty { return check }
            check.status = check.found.contains { same($0, check.expected, type: record.type) } ? "ok" : "wrong"
            return check
        }
    }

    static func matchesPurpose(_ text: String, _ purpose: DNSRecordToPublish.Purpose) -> Bool {
        switch purpose {
        case .spf: text.lowercased().hasPrefix("v=spf1")
        case .ownership: text.hasPrefix("mailgate-verification=")
        default: true
        }
    }

    static func same(_ found: String, _ expected: String, type: String) -> Bool {
        func normal(_ text: String) -> String {
            let words = text.split(whereSeparator: \.isWhitespace).map { word -> String in
                word.hasSuffix(".") ? String(word.dropLast()) : String(word)
            }
            return words.joined(separator: " ")
        }
        return type == "TXT" && !expected.lowercased().hasPrefix("v=spf1")
            ? found == expected : normal(found).lowercased() == normal(expected).lowercased()
    }

    static func render(_ data: DNSRecordData, purpose: DNSRecordToPublish.Purpose) -> String? {
        switch data {
        case .mx(let preference, let exchange): "\(preference) \(exchange)"
        case .cname(let target): "\(target)"
        case .txt(let strings): String(decoding: strings.joined(), as: UTF8.self)
        case .other(let type, let bytes) where type == srvType: srv(bytes)
        default: nil
        }
    }

    /// SRV RDATA (RFC 2782): priority, weight, port, then the target, never compressed.
    static func srv(_ bytes: [UInt8]) -> String? {
        guard bytes.count >= 7 else { return nil }
        func u16(_ at: Int) -> Int { Int(bytes[at]) << 8 | Int(bytes[at + 1]) }
        var labels: [String] = []
        var index = 6
        while index < bytes.count {
            let length = Int(bytes[index])
            if length == 0 { break }
            guard length < 64, index + 1 + length <= bytes.count else { return nil }
            labels.append(String(decoding: bytes[(index + 1)...(index + length)], as: UTF8.self))
            index += 1 + length
        }
        return "\(u16(0)) \(u16(2)) \(u16(4)) \(labels.joined(separator: "."))"
    }
}
