import Foundation
import MailStore
import MailgateCore

/// A DNS record the administrator publishes for a domain (administrator's guide, "Domains and DNS").
struct DNSRecordToPublish: Encodable, Equatable {
    enum Purpose: String, Encodable {
        case ownership, mail, autodiscover, spf, service
    }
    var type: String
    var name: String
    var value: String
    var priority: Int?
    var ttl: Int
    var purpose: Purpose
    /// Whether `domain verify` fails (exit 1) when it is missing or wrong.
    var required: Bool
}

/// The records that make a domain work with this gateway: ownership TXT, MX, the Autodiscover
/// CNAME and SRV, SPF, and RFC 6186 SRV records for the mail services the config offers.
enum DomainRecords {
    static let ttl = 3600

    static func records(for domain: DomainInfo, config: MailgateConfig) -> [DNSRecordToPublish] {
        let host = config.hostname
        let name = domain.name
        var records: [DNSRecordToPublish] = [
            // The guide prefers a TXT at "@" for ownership: a wrong value cannot harm mail.
            DNSRecordToPublish(
                type: "TXT", name: name, value: domain.verificationToken, priority: nil, ttl: ttl, purpose: .ownership,
                required: true),
            DNSRecordToPublish(
                type: "MX", name: name, value: host, priority: 10, ttl: ttl, purpose: .mail, required: true),
            DNSRecordToPublish(
                type: "CNAME", name: "autodiscover.\(name)", value: host, priority: nil, ttl: ttl,
                purpose: .autodiscover, required: false),
            DNSRecordToPublish(
                type: "TXT", name: name, value: spfPolicy(config), priority: nil, ttl: ttl, purpose: .spf,
                required: true),
            // MS-OXDSCLI 3.1.5.2: Outlook's SRV route to Autodiscover.
            DNSRecordToPublish(
                type: "SRV", name: "_autodiscover._tcp.\(name)", value: "0 \(publicHTTPSPort(config)) \(host)",
                priority: 0, ttl: ttl,
                purpose: .autodiscover, required: false),
        ]
        // RFC 6186 3: SRV records that let mail clients find the services.
        let services: [(String, HostPort?)] = [
            ("_submission._tcp", config.submission.listen), ("_imap._tcp", config.imap.listen),
            ("_imaps._tcp", config.imap.tlsListen), ("_pop3._tcp", config.pop3.listen),
            ("_pop3s._tcp", config.pop3.tlsListen),
        ]
        for (service, listener) in services {
            guard let listener else { continue }
            records.append(
                DNSRecordToPublish(
                    type: "SRV", name: "\(service).\(name)", value: "1 \(listener.port) \(host)", priority: 0,
                    ttl: ttl, purpose: .service, required: false))
        }
        return records
    }

    /// RFC 7208: the hosts this gateway really sends from: itself, or the smarthost it relays to.
    static func spfPolicy(_ config: MailgateConfig) -> String {
        var terms = ["v=spf1", "a:\(config.hostname)"]
        if let smarthost = config.outbound?.smarthost, !isLoopback(smarthost.host) {
            if smarthost.host.contains(":") {
                terms.append("ip6:\(smarthost.host)")
            } else if smarthost.host.split(separator: ".").count == 4,
                smarthost.host.allSatisfy({ $0.isNumber || $0 == "." })
            {
                terms.append("ip4:\(smarthost.host)")
            } else {
                terms.append("a:\(smarthost.host)")
            }
        }
        terms.append("-all")
        return terms.joined(separator: " ")
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    static func publicHTTPSPort(_ config: MailgateConfig) -> Int {
        URL(string: config.publicURL)?.port ?? 443
    }
}
