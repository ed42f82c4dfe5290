import ArgumentParser
import Foundation
import MailStore
import MailStoreSQLite
import NIOPosix

/// `mailgate-bench store`: durable deliveries per second at several writer counts, beside the
/// disk's own write+fsync rate and the files-beside-the-database alternative.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Measures durable deliveries per second (group commit) against the disk's fsync rate.")

    @Option(help: "Messages saved per writer level.")
    var messages = 5000

    @Option(help: "Message size in bytes.")
    var size = 4096

    @Option(help: "Comma-separated writer counts.")
    var writers = WriterCounts([1, 8, 64])

    @Option(help: "Messages saved per level by the message-files variant (3 fsyncs each).")
    var fileMessages = 500

    @Option(help: "Comma-separated writer counts for the message-files variant.")
    var fileWriters = WriterCounts([1, 8])

    @Option(help: "Folder for the store and probe files (default: a fresh temporary folder, removed after).")
    var dir: String?

    @Flag(help: "Print the results as JSON.")
    var json = false

    /// Users the deliveries are spread over.
    static let users = 64

    func validate() throws {
        guard messages > 0, fileMessages > 0 else { throw ValidationError("message counts must be positive") }
        guard size >= 256 else { throw ValidationError("--size must be at least 256 bytes") }
    }

    func run() async throws {
        let folder = try BenchFolder(dir)
        defer { folder.removeIfTemporary() }
        let message = BenchMessage(size: size)

        // The probe runs before and after the store's levels, blocking this thread for about two
        // seconds each time: a shared or virtual disk's fsync cost drifts, and two samples show how much.
        var probes = [try FsyncProbe.run(in: folder.path)]

        let store = try SQLiteMailStore(directory: folder.file("store"))
        let mailboxes = try await BenchDirectory.seed(store, users: Self.users)
        let deliver: @Sendable (Int, Int) async throws -> Void = { index, _ in
            let incoming = IncomingMessage(bytes: message.bytes(index), internalDate: Date())
            try BenchMessage.requireSaved(try await store.deliver(incoming, to: [mailboxes[index % mailboxes.count]]))
        }
        // Warms the page cache and prepared statements, so the first level is not penalised.
        _ = try await WriterLevel.run(writers: 1, total: 20, save: deliver)
        var inSQLite: [LevelResult] = []
        for count in writers.values {
            inSQLite.append(try await WriterLevel.run(writers: count, total: messages, save: deliver))
        }
        probes.append(try FsyncProbe.run(in: folder.path))

        let fileStore = try SQLiteMailStore(directory: folder.file("file-variant-store"))
        let fileMailboxes = try await BenchDirectory.seed(fileStore, users: Self.users)
        let threads = NIOThreadPool(numberOfThreads: fileWriters.values.max() ?? 1)
        threads.start()
        let blobs = try FileBlobStore(folder: folder.file("messages"), store: fileStore, threads: threads)
        var asFiles: [LevelResult] = []
        for count in fileWriters.values {
            asFiles.append(
                try await WriterLevel.run(writers: count, total: fileMessages) { index, _ in
                    try await blobs.save(
                        message.bytes(index), named: "\(count)-\(index).eml",
                        to: fileMailboxes[index % fileMailboxes.count], at: Date())
                })
        }
        try await threads.shutdownGracefully()

        let report = StoreReport(
            folder: folder.path, messageSize: size, fsyncProbes: probes, messagesInSQLite: inSQLite,
            messagesAsFiles: asFiles)
        print(try report.rendered(asJSON: json))
    }
}

/// A list like `1,8,64`.
struct WriterCounts: ExpressibleByArgument, Sendable {
    var values: [Int]

    init(_ values: [Int]) { self.values = values }

    init?(argument: String) {
        let parts = argument.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty else { return nil }
        var values: [Int] = []
        for part in parts {
            guard let count = part, count > 0 else { return nil }
            values.append(count)
        }
        self.values = values
    }

    var defaultValueDescription: String { values.map(String.init).joined(separator: ",") }
}
