import MailStore

/// STORE (RFC 3501 6.4.6, RFC 7162 3.1.3 UNCHANGEDSINCE), COPY (6.4.7, RFC 4315 COPYUID) and
/// MOVE (RFC 6851).
enum IMAPFlagStore {
    static func run(_ set: IMAPSequenceSet, _ change: IMAPStoreChange, uid: Bool, _ context: inout IMAPCommandContext)
        async throws -> String
    {
        guard var selected = context.selected else { throw IMAPCommandFailure.bad("no mailbox selected") }
        guard uid || selected.isValidSequenceSet(set) else { throw IMAPCommandFailure.bad("invalid sequence number") }
        guard !selected.isReadOnly else { throw IMAPCommandFailure.no("[READ-ONLY] The mailbox is read-only") }
        guard let (flags, keywords) = IMAPFlags.parse(change.flags) else {
            throw IMAPCommandFailure.bad("unknown system flag")
        }
        guard keywords.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(IMAPScanner.isAtomChar) }) else {
            throw IMAPCommandFailure.bad("invalid keyword")
        }
        if change.unchangedSince != nil {
            context.condStore = true
            selected.includeModSeq = true
        }
        let targets = selected.resolve(set, uid: uid).filter { !selected.isGone($0.uid) }
        guard !targets.isEmpty else {
            context.selected = selected
            return "OK STORE completed"
        }
        let result = try await context.store.setFlags(
            in: selected.folder.id, uids: targets.map(\.uid), mode: change.mode, flags: flags, keywords: keywords,
            unchangedSince: change.unchangedSince)
        for message in result.changed { selected.remember(message) }
        let changed = Set(result.changed.map(\.uid))
        let refused = Set(result.modifiedSince)
        // RFC 3501 6.4.6: without .SILENT every message named gets its flags back, changed or not;
        // RFC 7162 3.1.3: with UNCHANGEDSINCE, .SILENT still reports the changed ones (for MODSEQ).
        for target in targets where !refused.contains(target.uid) {
            guard !change.isSilent || (change.unchangedSince != nil && changed.contains(target.uid)),
                let state = selected.known(target.uid)
            else { continue }
            let recent = selected.isRecent(target.uid)
            var parts = ["FLAGS " + IMAPFlags.list(state.flags, state.keywords, recent: recent)]
            if uid { parts.insert("UID \(target.uid)", at: 0) }
            if selected.includeModSeq { parts.append("MODSEQ (\(state.modSeq))") }
            context.untagged("* \(target.seq) FETCH (\(parts.joined(separator: " ")))\r\n")
        }
        context.selected = selected
        if !result.modifiedSince.isEmpty {
            let numbers =
                uid
                ? result.modifiedSince.sorted()
                : result.modifiedSince.compactMap { selected.sequenceNumber(of: $0) }.map { UInt32(clamping: $0) }
                    .sorted()
            return "OK [MODIFIED \(IMAPSequenceSet.compact(numbers).description)] Conditional STORE failed"
        }
        return "OK STORE completed"
    }

    static func copy(
        _ set: IMAPSequenceSet, to name: String, uid: Bool, move: Bool, _ context: inout IMAPCommandContext
    ) async throws -> String {
        let verb = move ? "MOVE" : "COPY"
        guard var selected = context.selected else { throw IMAPCommandFailure.bad("no mailbox selected") }
        guard uid || selected.isValidSequenceSet(set) else { throw IMAPCommandFailure.bad("invalid sequence number") }
        if move && selected.isReadOnly { throw IMAPCommandFailure.no("[READ-ONLY] The mailbox is read-only") }
        let directory = try await context.directory()
        // RFC 3501 6.4.7: a missing destination is NO [TRYCREATE].
        guard let destination = directory.folder(named: name) else {
            throw IMAPCommandFailure.no("[TRYCREATE] No such mailbox")
        }
        let uids = selected.resolve(set, uid: uid).map(\.uid).filter { !selected.isGone($0) }
        guard !uids.isEmpty else { return "OK \(verb) completed" }
        let assignment =
            move
            ? try await context.store.move(uids, from: selected.folder.id, to: destination.id)
            : try await context.store.copy(uids, from: selected.folder.id, to: destination.id)
        let pairs = assignment.pairs.sorted { $0.source < $1.source }
        let code =
            pairs.isEmpty
            ? ""
            : "[COPYUID \(assignment.uidValidity) \(IMAPSequenceSet.compact(pairs.map(\.source)).description) \(IMAPSequenceSet.compact(pairs.map(\.destination)).description)] "
        guard move else { return "OK \(code)COPY completed" }
        // RFC 6851 4.3: COPYUID goes in an untagged OK before the EXPUNGEs.
        if !code.isEmpty { context.untagged("* OK \(code)Moved\r\n") }
        for line in selected.expunge(pairs.map(\.source)) { context.untagged(line) }
        context.selected = selected
        return "OK MOVE completed"
    }
}
