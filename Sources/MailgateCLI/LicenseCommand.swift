import ArgumentParser
import MailStore

struct LicenseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "license", abstract: "License SKUs and their counts.",
        subcommands: [Add.self, Set.self, List.self])

    struct Item: Encodable {
        var sku: String
        var total: Int
        var assigned: Int
        var available: Int
        init(_ info: LicenseInfo) {
            sku = info.sku
            total = info.total
            assigned = info.assigned
            available = info.available
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Buy N licenses of SKU (adds to an existing SKU).")
        @OptionGroup var options: ConfigOption
        @Argument var sku: String
        @Option(help: "How many to add.") var count: Int

        func run() async throws {
            let info = try await AdminContext.open(options).store.addLicenses(sku: sku, count: count)
            print("\(info.sku): \(info.total) in all, \(info.assigned) assigned, \(info.available) available")
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the total of SKU; refused below the number assigned.")
        @OptionGroup var options: ConfigOption
        @Argument var sku: String
        @Option(help: "The new total.") var count: Int

        func run() async throws {
            let info = try await AdminContext.open(options).store.setLicenseTotal(sku: sku, total: count)
            print("\(info.sku): \(info.total) in all, \(info.assigned) assigned, \(info.available) available")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List SKUs: total, assigned, available.")
        @OptionGroup var options: ConfigOption
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let items = try await AdminContext.open(options).store.licenses().map(Item.init)
            if output.json { return try Output.json(items) }
            Output.table(
                ["SKU", "TOTAL", "ASSIGNED", "AVAILABLE"],
                items.map { [$0.sku, String($0.total), String($0.assigned), String($0.available)] })
        }
    }
}
