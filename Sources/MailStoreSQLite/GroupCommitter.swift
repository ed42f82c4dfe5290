import GRDB
import MailStore
import Synchronization

/// Runs store writes in shared transactions: whatever arrives while a commit is under way goes
/// into the next one, so 64 concurrent deliveries pay for a few fsyncs, not 64.
///
/// Each write runs in its own savepoint: one that throws (a full mailbox) is rolled back alone
/// and the others still commit. A write's caller resumes only after the transaction holding it
/// has committed (with `synchronous = FULL`, after the WAL is on disk), so an acknowledged
/// message survives SIGKILL and power loss. No batching delay is added: an idle store commits
/// a lone write at once.
final class GroupCommitter: Sendable {
    /// One queued write, type-erased.
    private struct Job: Sendable {
        /// Runs the write inside the shared transaction; returns the changes it made.
        let run: @Sendable (Database) -> [StoreChange]
        /// Resumes the caller once the transaction's fate is known.
        let complete: @Sendable ((any Error)?) -> Void
    }

    private struct State {
        var pending: [Job] = []
        var isDraining = false
    }

    private let pool: DatabasePool
    private let origin: String
    private let feed: ChangeFeed
    private let clock: @Sendable () -> Double
    private let state = Mutex(State())

    init(pool: DatabasePool, origin: String, feed: ChangeFeed, clock: @escaping @Sendable () -> Double) {
        self.pool = pool
        self.origin = origin
        self.feed = feed
        self.clock = clock
    }

    /// Runs `work` in the next shared transaction and returns its result once committed.
    func write<T: Sendable>(_ work: @escaping @Sendable (Database, ChangeRecorder) throws -> T) async throws -> T {
        let origin = self.origin
        let clock = self.clock
        return try await withCheckedThrowingContinuation { continuation in
            let outcome = Mutex<Result<T, any Error>?>(nil)
            let job = Job(
                run: { db in
                    let recorder = ChangeRecorder(db: db, origin: origin, now: clock())
                    do {
                        let value = try db.inNestedSavepoint { try work(db, recorder) }
                        outcome.withLock { $0 = .success(value) }
                        return recorder.changes
                    } catch {
                        outcome.withLock { $0 = .failure(error) }
                        return []
                    }
                },
                complete: { commitError in
                    if let commitError {
                        continuation.resume(throwing: commitError)
                    } else if let result = outcome.withLock({ $0 }) {
                        continuation.resume(with: result)
                    } else {
                        continuation.resume(throwing: DatabaseError(message: "write produced no result"))
                    }
                })
            enqueue(job)
        }
    }

    private func enqueue(_ job: Job) {
        let startsDrain = state.withLock { state -> Bool in
            state.pending.append(job)
            guard !state.isDraining else { return false }
            state.isDraining = true
            return true
        }
        // Straight onto the writer's queue: no task in between, one thread hop less per commit.
        if startsDrain { pool.asyncWriteWithoutTransaction { db in self.drain(db) } }
    }

    /// Commits batches on the writer's queue until none is waiting.
    private func drain(_ db: Database) {
        while true {
            let batch = state.withLock { state -> [Job] in
                let batch = state.pending
                state.pending = []
                if batch.isEmpty { state.isDraining = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                var changes: [StoreChange] = []
                try db.inImmediateTransaction {
                    for job in batch {
                        changes += job.run(db)
                        // Some errors (disk full, I/O) make SQLite roll back the whole
                        // transaction, not just the job's savepoint; the jobs after it would
                        // then commit alone. Fail the batch: nobody is told "saved" wrongly.
                        guard db.isInsideTransaction else {
                            throw DatabaseError(message: "SQLite rolled back the shared transaction")
                        }
                    }
                }
                // Observers first (caches clear there), so a caller that sees its write succeed
                // never reads a cache that predates it.
                feed.publish(changes)
                for job in batch { job.complete(nil) }
            } catch {
                for job in batch { job.complete(error) }
            }
        }
    }
}

/// Collects the changes a write makes and logs them for other processes (table `change_log`).
/// Used only inside one write closure, on the store's writer thread.
final class ChangeRecorder: @unchecked Sendable {
    // @unchecked: an instance lives inside one write closure on GRDB's serial writer queue
    // and is never shared across threads.
    private let db: Database
    private let origin: String
    let now: Double
    private(set) var changes: [StoreChange] = []

    init(db: Database, origin: String, now: Double) {
        self.db = db
        self.origin = origin
        self.now = now
    }

    func record(_ change: StoreChange) throws {
        guard !changes.contains(change) else { return }
        changes.append(change)
        let (kind, mailbox, folder, user): (String, Int64?, Int64?, Int64?) =
            switch change {
            case .folder(let mailbox, let folder): ("folder", mailbox.rawValue, folder.rawValue, nil)
            case .folderList(let mailbox): ("folder_list", mailbox.rawValue, nil, nil)
            case .account(let user): ("account", nil, nil, user.rawValue)
            case .settings: ("settings", nil, nil, nil)
            case .directory: ("directory", nil, nil, nil)
            }
        try db.cachedStatement(
            sql: "INSERT INTO change_log (origin, kind, mailbox_id, folder_id, user_id, at) VALUES (?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [origin, kind, mailbox, folder, user, now])
    }
}
