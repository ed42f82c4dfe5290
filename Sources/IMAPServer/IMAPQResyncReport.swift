import MailStore

/// RFC 7162 3.2: what changed while the client was away, from the store's change log.
enum IMAPQResyncReport {
    /// After SELECT ... (QRESYNC (...)) with a matching UIDVALIDITY (RFC 7162 3.2.5.2): the
    /// removed UIDs as `VANISHED (EARLIER)`, then the changed messages' flags.
    static func resynchronise(_ parameters: IMAPQResync, _ context: inout IMAPCommandContext) async throws {
        guard let selected = context.selected else { return }
        let changes = try await context.store.changes(in: selected.folder.id, since: parameters.modSeq)
        var vanished = changes.vanished.sorted()
        if let known = parameters.knownUIDs {
            vanished = vanished.filter { known.contains($0, largest: UInt32.max) }
        }
        if !vanished.isEmpty {
            context.untagged("* VANISHED (EARLIER) \(IMAPSequenceSet.compact(vanished).description)\r\n")
        }
        for message in changes.changed {
            guard let seq = selected.sequenceNumber(of: message.uid) else { continue }
            let flags = IMAPFlags.list(message.flags, message.keywords, recent: false)
            context.untagged("* \(seq) FETCH (UID \(message.uid) FLAGS \(flags) MODSEQ (\(message.modSeq)))\r\n")
        }
    }

    /// UID FETCH ... (CHANGEDSINCE m VANISHED) (RFC 7162 3.2.6): removed UIDs in the set.
    static func vanished(in set: IMAPSequenceSet, since modSeq: ModSeq, _ context: inout IMAPCommandContext)
        async throws
    {
        guard let selected = context.selected else { return }
        let changes = try await context.store.changes(in: selected.folder.id, since: modSeq)
        let largest = max(selected.largestUID, changes.vanished.max() ?? 0)
        let vanished = changes.vanished.filter { set.contains($0, largest: largest) }.sorted()
        guard !vanished.isEmpty else { return }
        context.untagged("* VANISHED (EARLIER) \(IMAPSequenceSet.compact(vanished).description)\r\n")
    }
}
