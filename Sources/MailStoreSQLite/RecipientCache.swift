import MailStore
import Synchronization

/// Recipient resolutions (SMTP RCPT TO) kept in memory, so that a busy MX does not read the
/// directory, and hop to a reader thread and back, for every recipient of every message.
///
/// Correctness does not rest on it: a delivery checks again, in its own transaction, that the
/// mailbox is enabled and has room. The cache is emptied by the store's change feed on any
/// account, directory or settings change (synchronously, before the changing write returns), and
/// each entry lives at most `lifetime` as a bound on what another process's change can leave
/// stale before the poller relays it. Resolutions that depend on usage (a mailbox with a quota)
/// are never kept.
final class RecipientCache: Sendable {
    private struct Entry {
        let resolution: RecipientResolution
        let expires: ContinuousClock.Instant
    }
    private struct State {
        var entries: [String: Entry] = [:]
        /// Bumped by every clear: a lookup that started before a change does not store its
        /// (possibly stale) answer after it.
        var generation: UInt64 = 0
    }
    private let state = Mutex(State())
    private let limit: Int
    private let lifetime: Duration

    init(limit: Int = 10_000, lifetime: Duration = .seconds(2)) {
        self.limit = limit
        self.lifetime = lifetime
    }

    /// What a lookup found.
    enum Lookup {
        case hit(RecipientResolution)
        /// Not cached: read the store, then pass this to ``remember(_:for:generation:)``.
        case miss(generation: UInt64)
    }

    func lookup(_ address: String) -> Lookup {
        let now = ContinuousClock.now
        return state.withLock { state in
            if let entry = state.entries[address], entry.expires > now { return .hit(entry.resolution) }
            return .miss(generation: state.generation)
        }
    }

    /// Keeps `resolution` unless the cache was cleared since `generation` was read.
    func remember(_ resolution: RecipientResolution, for address: String, generation: UInt64) {
        if case .mailbox(_, _, quotaRemaining: .some) = resolution { return }
        let expires = ContinuousClock.now + lifetime
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= limit { state.entries.removeAll(keepingCapacity: true) }
            state.entries[address] = Entry(resolution: resolution, expires: expires)
        }
    }

    /// Forgets everything; called for every change that could alter a resolution.
    func clear() {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll(keepingCapacity: true)
        }
    }

    /// Whether `change` can alter a resolution: folder contents and folder lists cannot.
    static func invalidates(_ change: StoreChange) -> Bool {
        switch change {
        case .folder, .folderList: false
        case .account, .settings, .directory: true
        }
    }
}
