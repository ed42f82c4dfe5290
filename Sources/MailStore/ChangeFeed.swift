import Synchronization

/// Something in the store changed. Subscribers re-read what they show; a change says
/// where to look, not what the new state is, so duplicates are harmless.
public enum StoreChange: Sendable, Hashable {
    /// Messages were added, removed or re-flagged in a folder (IMAP IDLE, ActiveSync Ping, POP3).
    case folder(MailboxID, FolderID)
    /// The folder list of a mailbox changed (created, renamed, deleted).
    case folderList(MailboxID)
    /// A user's account changed: password, block, licenses, deletion, mobile access.
    case account(UserID)
    /// Organisation settings changed (mobile policy, publishing, password expiry).
    case settings
    /// Domains or licenses changed.
    case directory
}

/// In-process fan-out of ``StoreChange``s, fed by the store's own writes and by what it learns
/// of other processes' writes (the admin command line writing the same database).
///
/// Each subscriber gets its own bounded stream: a slow subscriber loses the oldest changes it
/// has not read (it must re-read state anyway), never blocks the store.
public final class ChangeFeed: Sendable {
    private struct State {
        var nextID = 0
        var subscribers: [Int: AsyncStream<StoreChange>.Continuation] = [:]
    }
    private let state = Mutex(State())
    private let bufferSize: Int

    public init(bufferSize: Int = 256) { self.bufferSize = bufferSize }

    /// A stream of every change from now on; ending the iteration unsubscribes.
    public func subscribe() -> AsyncStream<StoreChange> {
        let (stream, continuation) = AsyncStream<StoreChange>.makeStream(
            bufferingPolicy: .bufferingNewest(bufferSize))
        let id = state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = continuation
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Delivers changes to every subscriber.
    public func publish(_ changes: some Sequence<StoreChange>) {
        let unique = Set(changes)
        guard !unique.isEmpty else { return }
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers {
            for change in unique { subscriber.yield(change) }
        }
    }

    /// The number of live subscriptions (for metrics and tests).
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }
}
