public import MailStore
import NIOCore

/// What a session knows of its selected folder (RFC 3501 2.3.1.2): the sequence-number map and
/// the flags last shown, so it can tell the client what changed since.
public struct SelectedMailbox: Sendable {
    /// A message's flags as the client was last told them.
    struct Known: Sendable, Equatable {
        var flags: MessageFlags
        var keywords: [String]
        var modSeq: ModSeq
    }

    public let folder: FolderInfo
    public let isReadOnly: Bool
    /// The messages in sequence-number order (position + 1 is the sequence number), including
    /// messages removed in the store whose EXPUNGE the client has not been sent yet. Shares its
    /// storage with the server's cache until this session changes it.
    private(set) var index: FolderIndex
    /// Removed in the store, EXPUNGE not yet sent (RFC 3501 7.4.1: not during FETCH, STORE, SEARCH).
    private(set) var gone: Set<MessageUID> = []
    /// Arrived while this session had the folder selected (session-local `\Recent`).
    private(set) var recent: Set<MessageUID> = []
    var includeModSeq: Bool
    /// RFC 7162 3.2.10: with QRESYNC, removals are told as `VANISHED uids`, not EXPUNGE.
    var usesVanished = false
    /// RFC 9051 (IMAP4rev2) has no `\Recent` and no RECENT response.
    var tracksRecent = true
    /// RFC 5182: the UIDs of the last `SEARCH RETURN (SAVE)`, ascending; empty after SELECT.
    var savedResult: [MessageUID] = []

    /// - Parameter index: the folder's messages, up to date at least to `folder`'s mod-sequence.
    init(folder: FolderInfo, index: FolderIndex, isReadOnly: Bool, includeModSeq: Bool) {
        self.folder = folder
        self.index = index
        self.isReadOnly = isReadOnly
        self.includeModSeq = includeModSeq
    }

    var count: Int { index.count }
    var largestUID: MessageUID { index.largestUID }
    /// The folder's mod-sequence up to which this view has taken in the store's changes: a
    /// refresh reads only what changed after it, however big the folder.
    var seenModSeq: ModSeq { index.modSeq }
    /// The index as the store has it (nothing held back), to offer to the server's cache.
    var storeIndex: FolderIndex? { gone.isEmpty ? index : nil }

    func sequenceNumber(of uid: MessageUID) -> Int? { index.position(of: uid).map { $0 + 1 } }

    /// The flags the client was last told for `uid`.
    func known(_ uid: MessageUID) -> Known? {
        guard let position = index.position(of: uid) else { return nil }
        return Known(flags: index.flags[position], keywords: index.keywords(of: uid), modSeq: index.modSeqs[position])
    }

    var hasHeldBackExpunges: Bool { !gone.isEmpty }
    func isGone(_ uid: MessageUID) -> Bool { gone.contains(uid) }
    func isRecent(_ uid: MessageUID) -> Bool { recent.contains(uid) }

    /// The (sequence number, UID) pairs a set names, by UID (`uid`) or by sequence number.
    func resolve(_ set: IMAPSequenceSet, uid: Bool) -> [(seq: Int, uid: MessageUID)] {
        let uids = index.uids
        if uid {
            // RFC 3501 6.4.8: "*" is the largest UID in use; a range past it still names that message.
            let largest = largestUID
            return uids.enumerated().compactMap { position, value in
                set.contains(value, largest: largest) ? (position + 1, value) : nil
            }
        }
        let largest = UInt32(clamping: uids.count)
        return uids.enumerated().compactMap { position, value in
            set.contains(UInt32(clamping: position + 1), largest: largest) ? (position + 1, value) : nil
        }
    }

    /// Whether every sequence number in the set exists (RFC 3501 9: an invalid number is BAD).
    func isValidSequenceSet(_ set: IMAPSequenceSet) -> Bool {
        set.ranges.allSatisfy { range in
            (range.first.map { Int($0) <= count } ?? true) && (range.last.map { Int($0) <= count } ?? true)
        }
    }

    /// Records flags the client has been shown (after STORE or a FETCH that set \Seen).
    mutating func remember(_ message: MessageSummary) {
        guard let position = index.position(of: message.uid) else { return }
        guard
            index.flags[position] != message.flags || index.modSeqs[position] != message.modSeq
                || index.keywords(of: message.uid) != message.keywords
        else { return }
        index.update(at: position, flags: message.flags, keywords: message.keywords, modSeq: message.modSeq)
    }

    /// Takes in what changed in the store since ``seenModSeq`` and returns the untagged
    /// responses that bring the client up to date (RFC 3501 7.3.1 EXISTS, 7.3.2 RECENT, 7.4.1
    /// EXPUNGE, 7.4.2 FETCH FLAGS). Expunges are held back unless `allowExpunge`.
    mutating func apply(_ changes: FolderChanges, allowExpunge: Bool) -> [String] {
        var lines: [String] = []
        for uid in changes.vanished where index.position(of: uid) != nil { gone.insert(uid) }
        if allowExpunge && !gone.isEmpty { lines += expunge([]) }
        let largest = largestUID
        var added = false
        for message in changes.changed where message.uid > largest {
            index.append(uid: message.uid, flags: message.flags, keywords: message.keywords, modSeq: message.modSeq)
            if tracksRecent { recent.insert(message.uid) }
            added = true
        }
        if added {
            lines.append("* \(count) EXISTS\r\n")
            if tracksRecent { lines.append("* \(recent.count) RECENT\r\n") }
        }
        for message in changes.changed where message.uid <= largest {
            guard let position = index.position(of: message.uid) else { continue }
            let flagsChanged =
                index.flags[position] != message.flags || index.keywords(of: message.uid) != message.keywords
            index.update(at: position, flags: message.flags, keywords: message.keywords, modSeq: message.modSeq)
            guard flagsChanged else { continue }
            let modSeq = includeModSeq ? " MODSEQ (\(message.modSeq))" : ""
            let flags = IMAPFlags.list(message.flags, message.keywords, recent: recent.contains(message.uid))
            lines.append("* \(position + 1) FETCH (UID \(message.uid) FLAGS \(flags)\(modSeq))\r\n")
        }
        index.advance(to: changes.highestModSeq)
        return lines
    }

    /// Removes messages the session itself expunged (EXPUNGE, MOVE) and returns their EXPUNGE lines.
    mutating func expunge(_ removed: [MessageUID]) -> [String] {
        gone.formUnion(removed)
        var lines: [String] = []
        let vanished = index.uids.filter { gone.contains($0) }
        if usesVanished && !vanished.isEmpty {
            lines.append("* VANISHED \(IMAPSequenceSet.compact(vanished).description)\r\n")
        }
        if !usesVanished {
            // Highest first, so each number is right when the client reads it.
            for position in index.uids.indices.reversed() where gone.contains(index.uids[position]) {
                lines.append("* \(position + 1) EXPUNGE\r\n")
            }
        }
        index.remove(gone)
        recent.subtract(gone)
        // RFC 5182 2.1: an expunged message leaves the saved result.
        savedResult.removeAll { gone.contains($0) }
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
        var writer = IMAPResponseWriter()
        writer.flags(flags, keywords, recent: recent)
        return String(buffer: writer.buffer)
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
