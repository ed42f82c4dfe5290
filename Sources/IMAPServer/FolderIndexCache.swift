import MailStore
import Synchronization

/// The latest ``FolderIndex`` of recently selected folders, shared by all sessions.
///
/// SELECT takes the cached index and reads only what changed after it (RFC 7162 mod-sequences
/// make that exact), instead of reading every message of the folder again; the sessions then
/// share the index's storage. Bounded by the number of messages held; the least recently used
/// folders go first. Thread-safe.
final class FolderIndexCache: Sendable {
    private struct Entry {
        var index: FolderIndex
        var lastUse: UInt64
    }

    private struct State {
        var entries: [FolderID: Entry] = [:]
        var messages = 0
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())
    /// About 30 bytes per message: 2 million messages is some 60 MB.
    let maximumMessages: Int

    init(maximumMessages: Int = 2_000_000) { self.maximumMessages = maximumMessages }

    func index(of folder: FolderID) -> FolderIndex? {
        state.withLock { state in
            state.clock += 1
            state.entries[folder]?.lastUse = state.clock
            return state.entries[folder]?.index
        }
    }

    /// Keeps `index` unless the cache holds a newer one for the folder.
    func offer(_ index: FolderIndex, for folder: FolderID) {
        guard index.count <= maximumMessages else { return }
        state.withLock { state in
            if let current = state.entries[folder], current.index.modSeq >= index.modSeq { return }
            state.clock += 1
            state.messages += index.count - (state.entries[folder]?.index.count ?? 0)
            state.entries[folder] = Entry(index: index, lastUse: state.clock)
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
