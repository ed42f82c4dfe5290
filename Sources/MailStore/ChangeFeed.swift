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

    /// The mailbox the change is confined to; nil for changes that concern the whole directory.
    public var mailbox: MailboxID? {
        switch self {
        case .folder(let mailbox, _), .folderList(let mailbox): mailbox
        case .account, .settings, .directory: nil
        }
    }
}

/// In-process fan-out of ``StoreChange``s, fed by the store's own writes and by what it learns
/// of other processes' writes (the admin command line writing the same database).
///
/// Observers are called synchronously by ``publish(_:)``, on the store's writer thread, before
/// the write that made the changes returns to its caller: a cache cleared by an observer is never
/// read stale by someone who already saw the write succeed. An observer must therefore be quick
/// and must not block (set a flag, take a short lock, yield to a stream).
///
/// An observer scoped to a mailbox hears only that mailbox's changes, so a delivery to one user
/// costs nothing to the sessions of the other five hundred.
public final class ChangeFeed: Sendable {
    public typealias Handler = @Sendable (StoreChange) -> Void

    private struct State {
        var nextID = 0
        /// Observers of every change.
        var everything: [Int: Handler] = [:]
        /// Observers of one mailbox's changes.
        var byMailbox: [MailboxID: [Int: Handler]] = [:]
    }
    private let state = Mutex(State())
    private let bufferSize: Int

    public init(bufferSize: Int = 256) { self.bufferSize = bufferSize }

    /// Calls `handler` for each change from now on (of `mailbox` only, when given) until the
    /// returned observation is cancelled or released.
    public func observe(mailbox: MailboxID? = nil, _ handler: @escaping Handler) -> ChangeObservation {
        let id = state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            if let mailbox {
                state.byMailbox[mailbox, default: [:]][id] = handler
            } else {
                state.everything[id] = handler
            }
            return id
        }
        return ChangeObservation { [weak self] in
            self?.state.withLock { state in
                if let mailbox {
                    state.byMailbox[mailbox]?[id] = nil
                    if state.byMailbox[mailbox]?.isEmpty == true { state.byMailbox[mailbox] = nil }
                } else {
                    state.everything[id] = nil
                }
            }
        }
    }

    /// A stream of every change from now on; ending the iteration unsubscribes. Each stream is
    /// bounded: a slow reader loses the oldest changes it has not read (it must re-read state
    /// anyway), never blocks the store.
    public func subscribe() -> AsyncStream<StoreChange> {
        let (stream, continuation) = AsyncStream<StoreChange>.makeStream(
            bufferingPolicy: .bufferingNewest(bufferSize))
        let observation = observe { continuation.yield($0) }
        continuation.onTermination = { _ in observation.cancel() }
        return stream
    }

    /// Delivers changes to every observer concerned. Handlers run outside the feed's lock.
    public func publish(_ changes: some Sequence<StoreChange>) {
        var unique: [StoreChange] = []
        for change in changes where !unique.contains(change) { unique.append(change) }
        guard !unique.isEmpty else { return }
        let calls = state.withLock { state -> [(Handler, StoreChange)] in
            var calls: [(Handler, StoreChange)] = []
            for change in unique {
                for handler in state.everything.values { calls.append((handler, change)) }
                if let mailbox = change.mailbox, let handlers = state.byMailbox[mailbox] {
                    for handler in handlers.values { calls.append((handler, change)) }
                }
            }
            return calls
        }
        for (handler, change) in calls { handler(change) }
    }

    /// The number of live observers and subscriptions (for metrics and tests).
    public var subscriberCount: Int {
        state.withLock { state in state.everything.count + state.byMailbox.values.reduce(0) { $0 + $1.count } }
    }
}

/// A registration with ``ChangeFeed/observe(mailbox:_:)``; cancelled when released.
public final class ChangeObservation: Sendable {
    private let cancellation: Mutex<(@Sendable () -> Void)?>

    init(cancel: @escaping @Sendable () -> Void) { cancellation = Mutex(cancel) }

    /// Stops the handler being called for later changes (one already running may finish).
    public func cancel() {
        cancellation.withLock { cancel in
            defer { cancel = nil }
            return cancel
        }?()
    }

    deinit { cancel() }
}
