/// A folder's messages in UID order with their flags and mod-sequences, in compact parallel
/// arrays: what a session needs to map sequence numbers and to tell what changed.
///
/// A value type over copy-on-write arrays: the IMAP server keeps one per folder in a cache and
/// every session that selects the folder shares its storage until the session changes its own
/// copy, so selecting a big folder and holding it open in IDLE cost little time and memory.
public struct FolderIndex: Sendable, Equatable {
    public private(set) var uids: [MessageUID] = []
    public private(set) var flags: [MessageFlags] = []
    public private(set) var modSeqs: [ModSeq] = []
    /// Keywords of the messages that have any; most have none.
    public private(set) var keywords: [MessageUID: [String]] = [:]
    /// The folder's mod-sequence when this index was read or last brought up to date.
    public private(set) var modSeq: ModSeq

    public init(modSeq: ModSeq) { self.modSeq = modSeq }

    public var count: Int { uids.count }
    public var largestUID: MessageUID { uids.last ?? 0 }

    /// The 0-based position of `uid`, by binary search.
    public func position(of uid: MessageUID) -> Int? {
        var low = 0
        var high = uids.count - 1
        while low <= high {
            let middle = (low + high) / 2
            if uids[middle] == uid { return middle }
            if uids[middle] < uid { low = middle + 1 } else { high = middle - 1 }
        }
        return nil
    }

    public func keywords(of uid: MessageUID) -> [String] { keywords[uid] ?? [] }

    /// Every keyword in use, sorted (SELECT's FLAGS response).
    public var keywordsInUse: [String] { Array(Set(keywords.values.joined())).sorted() }

    /// Adds a message with a UID above every other.
    public mutating func append(uid: MessageUID, flags: MessageFlags, keywords: [String], modSeq: ModSeq) {
        precondition(uid > largestUID, "UIDs ascend")
        uids.append(uid)
        self.flags.append(flags)
        modSeqs.append(modSeq)
        if !keywords.isEmpty { self.keywords[uid] = keywords }
    }

    public mutating func update(at position: Int, flags: MessageFlags, keywords: [String], modSeq: ModSeq) {
        self.flags[position] = flags
        modSeqs[position] = modSeq
        self.keywords[uids[position]] = keywords.isEmpty ? nil : keywords
    }

    /// Removes the messages whose UIDs are in `removed`.
    public mutating func remove(_ removed: Set<MessageUID>) {
        guard !removed.isEmpty else { return }
        var kept = 0
        for position in uids.indices where !removed.contains(uids[position]) {
            uids[kept] = uids[position]
            flags[kept] = flags[position]
            modSeqs[kept] = modSeqs[position]
            kept += 1
        }
        uids.removeSubrange(kept...)
        flags.removeSubrange(kept...)
        modSeqs.removeSubrange(kept...)
        for uid in removed { keywords.removeValue(forKey: uid) }
    }

    /// Notes that the index reflects the folder up to `modSeq`.
    public mutating func advance(to modSeq: ModSeq) { self.modSeq = max(self.modSeq, modSeq) }

    /// Brings the index to the state `changes` (read since ``modSeq``) describe.
    public mutating func apply(_ changes: FolderChanges) {
        remove(Set(changes.vanished))
        for message in changes.changed {
            if let position = position(of: message.uid) {
                update(at: position, flags: message.flags, keywords: message.keywords, modSeq: message.modSeq)
            } else if message.uid > largestUID {
                append(uid: message.uid, flags: message.flags, keywords: message.keywords, modSeq: message.modSeq)
            }
        }
        advance(to: changes.highestModSeq)
    }
}
