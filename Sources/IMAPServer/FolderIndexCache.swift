import MailStore
import Synchronization

/// The latest ``FolderIndex`` of recently selected folders, shared by all sessions.
///
/// SELECT takes the cached index and reads only what changed after it (RFC 7162 mod-sequences
/// make that exact), instead of reading every message of the folder again; the sessions then
/// share the index's storage. Bounded by the number of messages held; the least recently used
/// folders go first. Thread-safe.
///
/// An entry read together with its folder's row is *current* until the store's change feed
/// reports a change to that folder or to its mailbox's folder list: a SELECT of a current
/// folder needs no store read at all. The feed reports this process's writes before they
/// return, and other processes' writes within the poller's interval, as it does to IDLE.
final class FolderIndexCache: Sendable {
    private struct Entry {
        var index: FolderIndex
        var lastUse: UInt64
        /// The folder's row read with `index`, while no change has been reported since.
        var current: FolderInfo?
    }

    private struct State {
        var entries: [FolderID: Entry] = [:]
        var messages = 0
        var clock: UInt64 = 0
        /// Changes reported per folder, and to folder lists: a read that began before one
        /// cannot make its answer current.
        var folderChanges: [FolderID: UInt64] = [:]
        var listChanges: UInt64 = 0
    }

    /// What had been reported when a store read began.
    struct Ticket {
        let folder: FolderID
        let folderChanges: UInt64
        let listChanges: UInt64
    }

    private let state = Mutex(State())
    /// About 30 bytes per message: 2 million messages is some 60 MB.
    let maximumMessages: Int
    private let observation = Mutex<ChangeObservation?>(nil)

    init(maximumMessages: Int = 2_000_000) { self.maximumMessages = maximumMessages }

    /// Keeps entries' currency in step with `feed` from now on.
    func follow(_ feed: ChangeFeed) {
        let observing = feed.observe { [weak self] change in self?.noted(change) }
        observation.withLock { $0 = observing }
    }

    private func noted(_ change: StoreChange) {
        state.withLock { state in
            switch change {
            case .folder(_, let folder):
                state.folderChanges[folder, default: 0] &+= 1
                state.entries[folder]?.current = nil
            case .folderList(let mailbox):
                state.listChanges &+= 1
                for (folder, entry) in state.entries where entry.current?.mailbox == mailbox {
                    state.entries[folder]?.current = nil
                }
            case .account, .settings, .directory:
                break
            }
        }
    }

    func index(of folder: FolderID) -> FolderIndex? {
        state.withLock { state in
            state.clock += 1
            state.entries[folder]?.lastUse = state.clock
            return state.entries[folder]?.index
        }
    }

    /// The folder's row and index, when nothing has changed since they were read together and
    /// the folder still has `name`.
    func currentSelection(of folder: FolderID, named name: String) -> (FolderInfo, FolderIndex)? {
        state.withLock { state in
            guard let entry = state.entries[folder], let current = entry.current, current.name == name else {
                return nil
            }
            state.clock += 1
            state.entries[folder]?.lastUse = state.clock
            return (current, entry.index)
        }
    }

    /// Taken before a store read whose answer may be offered as current.
    func ticket(for folder: FolderID) -> Ticket {
        state.withLock { state in
            Ticket(folder: folder, folderChanges: state.folderChanges[folder] ?? 0, listChanges: state.listChanges)
        }
    }

    /// Keeps `index` unless the cache holds a newer one for the folder. With `current` (the
    /// folder's row read with the index) and the ticket taken before that read, the entry is
    /// current if no change was reported meanwhile.
    func offer(_ index: FolderIndex, for folder: FolderID, current: FolderInfo? = nil, ticket: Ticket? = nil) {
        guard index.count <= maximumMessages else { return }
        state.withLock { state in
            if let existing = state.entries[folder], existing.index.modSeq > index.modSeq { return }
            let unchanged =
                ticket.map { ticket in
                    ticket.folder == folder && ticket.folderChanges == (state.folderChanges[folder] ?? 0)
                        && ticket.listChanges == state.listChanges
                } ?? false
            state.clock += 1
            state.messages += index.count - (state.entries[folder]?.index.count ?? 0)
            state.entries[folder] = Entry(
                index: index, lastUse: state.clock, current: unchanged && current?.id == folder ? current : nil)
            while state.messages > maximumMessages,
                let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse })
            {
                state.messages -= oldest.value.index.count
                state.entries.removeValue(forKey: oldest.key)
            }
        }
    }

    /// Forgets a folder (deleted, or its index is no longer to be trusted).
    func forget(_ folder: FolderID) {
        state.withLock { state in
            if let entry = state.entries.removeValue(forKey: folder) { state.messages -= entry.index.count }
        }
    }
}
