public import Foundation
import GRDB
public import MailStore
public import MailgateCore

/// The store over one SQLite file (`DATA_DIR/mailgate.sqlite`), in WAL mode with
/// `synchronous = FULL`, shared safely by `serve` and any number of command-line processes.
///
/// Message bytes live in the database (table `content`), not in files beside it: one commit
/// then makes a whole batch of deliveries durable with one WAL fsync, where files would need
/// an fsync per file and per directory. `mailgate-bench store` measures both.
public final class SQLiteMailStore: MailStore {
    public let changeFeed: ChangeFeed
    let pool: DatabasePool
    let committer: GroupCommitter
    let clock: any MailgateClock
    /// Identifies this process's rows in `change_log`, so the poller skips its own changes.
    let origin: String
    /// The newest `change_log` row when the store was opened: the watcher relays what comes after.
    let changeLogStart: Int64
    let recipients = RecipientCache()
    /// Keeps ``recipients`` in step with the change feed.
    private let recipientInvalidation: ChangeObservation

    /// Opens (creating if needed) the store in `directory` and migrates it.
    public init(directory: String, clock: any MailgateClock = SystemClock()) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(15)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            // WAL with FULL: every commit fsyncs the WAL, so a committed write survives power loss.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Message bytes are read through a memory map of the file, not a pread per 4 KiB
            // page; SQLite caps it at its compile-time limit (2 GiB in common builds).
            try db.execute(sql: "PRAGMA mmap_size = 2147418112")
        }
        let pool = try DatabasePool(
            path: (directory as NSString).appendingPathComponent("mailgate.sqlite"),
            configuration: configuration)
        // GRDB's WAL set-up puts the writer connection in synchronous = NORMAL after
        // prepareDatabase ran, which syncs the WAL only at checkpoints: set FULL on it again,
        // so that every commit is on disk before its writers are answered.
        try pool.barrierWriteWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        try Schema.migrator.migrate(pool)
        try pool.write { db in
            if try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM organisation")) == 0 {
                let settings = try JSONEncoder().encode(OrganisationSettings.defaults)
                try db.execute(
                    sql: "INSERT INTO organisation (id, settings, last_uid_validity) VALUES (1, ?, ?)",
                    arguments: [String(decoding: settings, as: UTF8.self), Self.uidValiditySeed(clock.now)])
            }
        }
        self.changeLogStart = try pool.read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(seq) FROM change_log")) ?? 0
        }
        self.pool = pool
        self.clock = clock
        self.origin = UUID().uuidString
        let feed = ChangeFeed()
        self.changeFeed = feed
        self.committer = GroupCommitter(
            pool: pool, origin: origin, feed: feed, clock: { clock.now.timeIntervalSince1970 })
        let recipients = self.recipients
        self.recipientInvalidation = feed.observe { change in
            if RecipientCache.invalidates(change) { recipients.clear() }
        }
    }

    /// UIDVALIDITY values start from the clock (seconds since 2020) so that a store rebuilt
    /// from scratch does not reuse values an IMAP client cached (RFC 3501 2.3.1.1).
    static func uidValiditySeed(_ now: Date) -> Int64 {
        max(1, Int64(now.timeIntervalSince1970) - 1_577_836_800)
    }

    var now: Double { clock.now.timeIntervalSince1970 }

    /// The writer connection's `PRAGMA synchronous` (2 = FULL): tests check durability is on.
    public func writerSynchronousMode() async throws -> Int {
        try await pool.writeWithoutTransaction { db in
            try Int.fetchOne(db.cachedStatement(sql: "PRAGMA synchronous")) ?? -1
        }
    }

    /// Runs a write through the group committer.
    func write<T: Sendable>(_ work: @escaping @Sendable (Database, ChangeRecorder) throws -> T) async throws -> T {
        try await committer.write(work)
    }

    func read<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.read(work)
    }

    /// Publishes, on ``changeFeed``, the changes other processes logged since this store was
    /// opened, until cancelled. `serve` runs this so that the command line's changes reach it
    /// within `interval`.
    public func watchOtherProcesses(interval: Duration = .milliseconds(500)) async throws {
        var last = changeLogStart
        let origin = self.origin
        while !Task.isCancelled {
            try await Task.sleep(for: interval)
            let since = last
            let (changes, newest) = try await read { db -> ([StoreChange], Int64) in
                let newest = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(seq) FROM change_log")) ?? 0
                guard newest > since else { return ([], newest) }
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT kind, mailbox_id, folder_id, user_id FROM change_log
                        WHERE seq > ? AND seq <= ? AND origin != ? ORDER BY seq
                        """, arguments: [since, newest, origin])
                return (rows.compactMap(Self.change(from:)), newest)
            }
            last = newest
            changeFeed.publish(changes)
        }
    }

    static func change(from row: Row) -> StoreChange? {
        switch row["kind"] as String? {
        case "folder":
            guard let mailbox: Int64 = row["mailbox_id"], let folder: Int64 = row["folder_id"] else { return nil }
            return .folder(MailboxID(mailbox), FolderID(folder))
        case "folder_list":
            guard let mailbox: Int64 = row["mailbox_id"] else { return nil }
            return .folderList(MailboxID(mailbox))
        case "account":
            guard let user: Int64 = row["user_id"] else { return nil }
            return .account(UserID(user))
        case "settings": return .settings
        case "directory": return .directory
        default: return nil
        }
    }

    /// Forgets change-log rows older than `age`; every process has long polled them.
    public func pruneChangeLog(olderThan age: TimeInterval = 3600) async throws {
        let horizon = now - age
        _ = try await write { db, _ in
            try db.execute(sql: "DELETE FROM change_log WHERE at < ?", arguments: [horizon])
        }
    }
}
