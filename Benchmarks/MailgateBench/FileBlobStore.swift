import Foundation
import MailStore
import MailStoreSQLite
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The design Mailgate did not choose, built only to be measured: each message's bytes in a
/// file of their own beside the database, and only a small metadata row in SQLite.
///
/// Saving a message durably then takes, in order: write the file, fsync it, fsync the folder
/// (so the new name survives power loss), then commit the metadata row. The row goes through
/// the real store (a tiny stand-in message naming the file), so it still enjoys group commit;
/// the file and folder fsyncs are paid once per message. The blocking calls run on a thread
/// pool, one thread per writer, as a server would run them.
struct FileBlobStore: Sendable {
    let folder: String
    let store: SQLiteMailStore
    let threads: NIOThreadPool

    /// Makes the message folder (durably) inside `folder`.
    init(folder: String, store: SQLiteMailStore, threads: NIOThreadPool) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try POSIXFile.directory((folder as NSString).deletingLastPathComponent).syncAndClose()
        self.folder = folder
        self.store = store
        self.threads = threads
    }

    /// Returns once the bytes, the file's name and the metadata row are all on disk.
    func save(_ bytes: Data, named name: String, to mailbox: MailboxID, at date: Date) async throws {
        let path = (folder as NSString).appendingPathComponent(name)
        let folder = self.folder
        try await threads.runIfActive {
            let file = try POSIXFile(path: path, flags: O_WRONLY | O_CREAT | O_EXCL)
            do {
                try file.write(bytes)
                try file.syncAndClose()
            } catch {
                file.close()
                throw error
            }
            try POSIXFile.directory(folder).syncAndClose()
        }
        let pointer = IncomingMessage(
            bytes: Data("X-Mailgate-Blob: \(name)\r\nX-Mailgate-Size: \(bytes.count)\r\n\r\n".utf8), internalDate: date)
        try BenchMessage.requireSaved(try await store.deliver(pointer, to: [mailbox]))
    }
}
