import MailStore
import Synchronization

/// Observes the store's change feed for one session's mailbox: marks the selected folder as changed,
/// and wakes an IDLE (RFC 2177) at once.
final class IMAPChangeWatch: Sendable {
    private struct State {
        var folder: FolderID?
        var isDirty = false
        var idle: AsyncStream<Void>.Continuation?
    }
    private let state = Mutex(State())

    /// Takes note of one change of the session's mailbox; called by the change feed on the
    /// store's writer thread, so it only takes the lock and yields.
    func notice(_ change: StoreChange) {
        guard case .folder(_, let folder) = change else { return }
        state.withLock { state in
            guard state.folder == folder else { return }
            state.isDirty = true
            state.idle?.yield()
        }
    }

    /// The folder now selected (nil: none); starts clean. SELECT calls it before it reads the
    /// folder, so a change landing during the read is not missed. Returns true, for use in a
    /// condition list.
    @discardableResult
    func select(_ folder: FolderID?) -> Bool {
        state.withLock { state in
            if state.folder != folder { state.isDirty = false }
            state.folder = folder
        }
        return true
    }

    /// Whether the selected folder changed since the last call.
    func takeDirty() -> Bool {
        state.withLock { state in
            defer { state.isDirty = false }
            return state.isDirty
        }
    }

    /// Where to signal changes during IDLE (nil when not idling).
    func setIdle(_ continuation: AsyncStream<Void>.Continuation?) {
        state.withLock { state in
            state.idle = continuation
            // A change that came in before IDLE started listening still wakes it.
            if state.isDirty { continuation?.yield() }
        }
    }
}
