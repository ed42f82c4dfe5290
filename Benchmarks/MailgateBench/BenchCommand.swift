import ArgumentParser

/// `mailgate-bench`: measurements behind the README's numbers, and the two halves of the
/// durability test (a writer that is SIGKILLed, and the check after restart).
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailgate-bench",
        abstract: "Measures the store and password costs; drives the durability test.",
        subcommands: [
            StoreCommand.self, PasswordCommand.self, DurabilityWriterCommand.self, DurabilityCheckCommand.self,
        ])
}
