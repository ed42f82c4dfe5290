import ArgumentParser
import Foundation
import MailStore

struct DomainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain", abstract: "The domains mail is accepted for.",
        subcommands: [Add.self, Remove.self, List.self, Records.self, DomainVerifyCommand.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a domain: mail for its users is accepted at once. Prints the DNS records to publish.")
        @OptionGroup var options: ConfigOption
        @Argument var domain: String

        func run() async throws {
            let context = try await AdminContext.open(options)
            let added = try await context.store.addDomain(domain)
            print("added \(added.name); publish these DNS records (changes can take up to 72 hours to be seen):")
            Records.printTable(DomainRecords.records(for: added, config: context.config))
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a domain; refused while a user or alias still uses it.")
        @OptionGroup var options: ConfigOption
        @Argument var domain: String

        func run() async throws {
            let context = try await AdminContext.open(options)
            try await context.store.removeDomain(domain)
            print("removed \(domain.lowercased())")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the domains and their last verification.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOptions

        struct Item: Encodable {
            var domain: String
            var status: String
            var verified: Bool
            var lastVerifiedAt: Date?
            var lastVerification: String?
            var addedAt: Date
        }

        func run() async throws {
            let context = try await AdminContext.open(options)
            let items = try await context.store.domains().map { domain in
                Item(
                    domain: domain.name, status: domain.isVerified ? "verified" : "unverified",
                    verified: domain.isVerified, lastVerifiedAt: domain.lastVerification?.at,
                    lastVerification: domain.lastVerification?.summary, addedAt: domain.addedAt)
            }
            if output.json { return try Output.json(items) }
            Output.table(
                ["DOMAIN", "STATUS", "LAST VERIFIED"],
                items.map { [$0.domain, $0.status, Output.date($0.lastVerifiedAt)] })
        }
    }

    struct Records: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The DNS records to publish: ownership TXT, MX, autodiscover CNAME, SPF TXT, SRV.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOptions
        @Argument var domain: String

        func run() async throws {
            let context = try await AdminContext.open(options)
            guard let info = try await context.store.domain(domain) else {
                throw StoreRefusal.domainUnknown(domain.lowercased())
            }
            let records = DomainRecords.records(for: info, config: context.config)
            if output.json { return try Output.json(records) }
            Self.printTable(records)
        }

        static func printTable(_ records: [DNSRecordToPublish]) {
            Output.table(
                ["TYPE", "NAME", "PRIORITY", "TTL", "VALUE"],
                records.map { [$0.type, $0.name, $0.priority.map(String.init) ?? "-", String($0.ttl), $0.value] })
        }
    }
}
