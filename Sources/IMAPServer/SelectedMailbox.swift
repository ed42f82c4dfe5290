public import MailStore

/// What a session knows of its selected folder (RFC 3501 2.3.1.2): the sequence-number map and
/// the flags last shown, so it can tell the client what changed since.
public struct SelectedMailbox: Sendable {
    struct Known: Sendable, Equatable {
        var flags: MessageFlags
        var keywords: [String]
        var modSeq: ModSeq
    }

    public let folder: FolderInfo
    public let isReadOnly: Bool
    /// UIDs in sequence-number order (index + 1 is the sequence number), including messages removed
    /// in the store whose EXPUNGE the client has not been sent yet.
    private(set) var uids: [MessageUID]
    private(set) var known: [MessageUID: Known]
    /// Removed in the store, EXPUNGE not yet sent (RFC 3501 7.4.1: not during FETCH, STORE, SEARCH).
    private(set) var gone: Set<MessageUID> = []
    /// Arrived while this session had the folder selected (session-local `\Recent`).
    private(set) var recent: Set<MessageUID> = []
    var includeModSeq: Bool
    /// RFC 7162 3.2.10: with QRESYNC, removals are told as `VANISHED uids`, not EXPUNGE.
    var usesVanished = false
    /// RFC 9051 (IMAP4rev2) has no `\Recent` and no RECENT response.
    var tracksRecent = true

    init(folder: FolderInfo, messages: [MessageSummary], isReadOnly: Bool, includeModSeq: Bool) {
        self.folder = folder
        self.isReadOnly = isReadOnly
        self.includeModSeq = includeModSeq
        uids = messages.map(\.uid)
        known = Dictionary(
            messages.map { ($0.uid, Known(flags: $0.flags, keywords: $0.keywords, modSeq: $0.modSeq)) },
            uniquingKeysWith: { first, _ in first })
    }

    var count: Int { uids.count }
    var largestUID: MessageUID { uids.last ?? 0 }

    func sequenceNumber(of uid: MessageUID) -> Int? {
        var low = 0
        var high = uids.count - 1
        while low <= high {
            let middle = (low + high) / 2
            if uids[middle] == uid { return middle + 1 }
            if uids[middle] < uid { low = middle + 1 } else { high = middle - 1 }
        }
        return nil
    }

    var hasHeldBackExpunges: Bool { !gone.isEmpty }
    func isGone(_ uid: MessageUID) -> Bool { gone.contains(uid) }
    func isRecent(_ uid: MessageUID) -> Bool { recent.contains(uid) }

    /// The (sequence number, UID) pairs a set names, by UID (`uid`) or by sequence number.
    func resolve(_ set: IMAPSequenceSet, uid: Bool) -> [(seq: Int, uid: MessageUID)] {
        if uid {
            // RFC 3501 6.4.8: "*" is the largest UID in use; a range past it still names that message.
            return uids.enumerated().compactMap { index, value in
                set.contains(value, largest: largestUID) ? (index + 1, value) : nil
            }
        }
        let largest = UInt32(clamping: uids.count)
        return uids.enumerated().compactMap { index, value in
            set.contains(UInt32(clamping: index + 1), largest: largest) ? (index + 1, value) : nil
        }
    }

    /// Whether every sequence number in the set exists (RFC 3501 9: an invalid number is BAD).
    func isValidSequenceSet(_ set: IMAPSequenceSet) -> Bool {
        set.ranges.allSatisfy { range in
            (range.first.map { Int($0) <= uids.count } ?? true) && (range.last.map { Int($0) <= uids.count } ?? true)
        }
    }

    /// Records flags the client has been shown (after STORE or a FETCH that set \Seen).
    mutating func remember(_ message: MessageSummary) {
        guard known[message.uid] != nil else { return }
        known[message.uid] = Known(flags: message.flags, keywords: message.keywords, modSeq: message.modSeq)
    }

    /// Compares the store's current list with what the client knows and returns the untagged
    /// responses that bring it up to date (RFC 3501 7.3.1 EXISTS, 7.3.2 RECENT, 7.4.1 EXPUNGE,
    /// 7.4.2 FETCH FLAGS). Expunges are held back unless `allowExpunge`.
    mutating func update(to current: [MessageSummary], allowExpunge: Bool) -> [String] {
        var lines: [String] = []
        let present = Set(current.map(\.uid))
        for uid in uids where !present.contains(uid) { gone.insert(uid) }
        if allowExpunge && !gone.isEmpty { lines += expunge([]) }
        let largest = largestUID
        var added = false
        for message in current where message.uid > largest {
            uids.append(message.uid)
            known[message.uid] = Known(flags: message.flags, keywords: message.keywords, modSeq: message.modSeq)
            if tracksRecent { recent.insert(message.uid) }
            added = true
        }
        if added {
            lines.append("* \(uids.count) EXISTS\r\n")
            if tracksRecent { lines.append("* \(recent.count) RECENT\r\n") }
        }
        for message in current where message.uid <= largest {
            guard let before = known[message.uid],
                before.flags != message.flags || before.keywords != message.keywords,
                let seq = sequenceNumber(of: message.uid)
            else { continue }
            known[message.uid] = Known(flags: message.flags, keywords: message.keywords, modSeq: message.modSeq)
            let modSeq = includeModSeq ? " MODSEQ (\(message.modSeq))" : ""
            lines.append(
                "* \(seq) FETCH (UID \(message.uid) FLAGS \(IMAPFlags.list(message.flags, message.keywords, recent: recent.contains(message.uid)))\(modSeq))\r\n"
            )
        }
        return lines
    }

    /// Removes messages the session itself expunged (EXPUNGE, MOVE) and returns their EXPUNGE lines.
    mutating func expunge(_ removed: [MessageUID]) -> [String] {
        gone.formUnion(removed)
        var lines: [String] = []
        let vanished = uids.filter { gone.contains($0) }
        if usesVanished && !vanished.isEmpty {
            lines.append("* VANISHED \(IMAPSequenceSet.compact(vanished).description)\r\n")
        }
        // Highest first, so each number is right when the client reads it.
        for index in uids.indices.reversed() where gone.contains(uids[index]) {
            if !usesVanished { lines.append("* \(index + 1) EXPUNGE\r\n") }
            known.removeValue(forKey: uids[index])
            recent.remove(uids[index])
        }
        uids.removeAll { gone.contains($0) }
        gone = []
        return lines
    }
}

/// Flags on the wire (RFC 3501 2.3.2).
enum IMAPFlags {
    static let system: [(MessageFlags, String)] = [
        (.answered, "\\Answered"), (.flagged, "\\Flagged"), (.deleted, "\\Deleted"), (.seen, "\\Seen"),
        (.draft, "\\Draft"),
    ]

    /// `(\Seen kw ...)`.
    static func list(_ flags: MessageFlags, _ keywords: [String], recent: Bool) -> String {
        var words = system.filter { flags.contains($0.0) }.map(\.1)
        if recent { words.append("\\Recent") }
        words += keywords
        return "(" + words.joined(separator: " ") + ")"
    }

    /// Splits flags as sent into system flags and keywords; nil for an unknown system flag.
    static func parse(_ names: [String]) -> (MessageFlags, [String])? {
        var flags: MessageFlags = []
        var keywords: [String] = []
        for name in names {
            if name.hasPrefix("\\") {
                if name.lowercased() == "\\recent" { continue }
                guard let match = system.first(where: { $0.1.lowercased() == name.lowercased() }) else { return nil }
                flags.insert(match.0)
            } else if !keywords.contains(name) {
                keywords.append(name)
            }
        }
        return (flags, keywords)
    }
}
