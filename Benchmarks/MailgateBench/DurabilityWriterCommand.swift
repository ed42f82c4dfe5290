import ArgumentParser
import Foundation
import MailStore
import MailStoreSQLite

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `mailgate-bench durability-writer`: the process the durability test SIGKILLs. Concurrent
/// writers deliver numbered messages to `user0@bench.test` for ever; after each delivery the
/// store acknowledged, its id goes to standard output as one line, unbuffered, so that every
/// id the test has read was acknowledged before the kill.
struct DurabilityWriterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "durability-writer",
        abstract: "Delivers messages for ever, printing each acknowledged id (for the SIGKILL test).")

    @Option(help: "The store's folder (created and seeded if needed).")
    var dir: String

    @Option(help: "Concurrent writers.")
    var writers = 16

    func validate() throws {
        guard writers > 0 else { throw ValidationError("--writers must be positive") }
    }

    func run() async throws {
        let store = try SQLiteMailStore(directory: dir)
        guard let mailbox = try await BenchDirectory.seed(store, users: 1).first else {
            throw BenchError("no mailbox to deliver to")
        }
        // Ids stay unique across the test's restarts on one store.
        let run = UUID().uuidString.prefix(8).lowercased()
        let numbers = Counter()
        let output = POSIXFile(descriptor: STDOUT_FILENO, name: "standard output")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<writers {
                group.addTask {
                    while true {
                        let id = "\(run)-\(numbers.take())"
                        let message = IncomingMessage(bytes: DurabilityMessage.bytes(id: id), internalDate: Date())
                        try BenchMessage.requireSaved(try await store.deliver(message, to: [mailbox]))
                        // One write(2) per line: a line shorter than PIPE_BUF reaches a pipe whole,
                        // never interleaved with another writer's.
                        try output.write(Data("\(id)\n".utf8))
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
