import Logging
import MailStore
import MailStoreSQLite
import ServiceLifecycle

/// Periodic housekeeping while `serve` runs: purge users and mailboxes past their 30 days,
/// send due password-expiry notices, forget old change-log rows.
struct MaintenanceService: Service {
    let store: SQLiteMailStore
    let notifier: PasswordExpiryNotifier
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await runOnce()
            try? await gracefulShutdownAware(sleepFor: interval)
        }
    }

    func runOnce() async {
        do {
            let purge = try await store.purgeExpired()
            if !purge.purgedUsers.isEmpty || purge.purgedMailboxes > 0 {
                logger.notice(
                    "purged expired accounts",
                    metadata: ["users": "\(purge.purgedUsers.count)", "mailboxes": "\(purge.purgedMailboxes)"])
            }
            let notices = try await notifier.sendDueNotices()
            if notices > 0 { logger.info("password expiry notices delivered", metadata: ["count": "\(notices)"]) }
            try await store.pruneChangeLog()
        } catch {
            logger.error("maintenance failed", metadata: ["error": "\(error)"])
        }
    }

    /// Sleeps, waking early when a graceful shutdown starts.
    private func gracefulShutdownAware(sleepFor duration: Duration) async throws {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }
}

/// Relays the other processes' writes to this process's change feed.
struct ChangeWatcherService: Service {
    let store: SQLiteMailStore

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await store.watchOtherProcesses()
            }
        } catch is CancellationError {
            // Shutdown: the watcher ends here, as intended.
        }
    }
}
