import Foundation
import MailStore
import MailgateCore
import NIOCore

/// Runs the commands of the authenticated and selected states against the store, writing the
/// untagged responses and the tagged one into the context's output.
enum IMAPCommandRunner {
    static func run(_ command: IMAPCommand, _ context: inout IMAPCommandContext) async {
        let tag = command.tag
        do {
            let text = try await execute(command, &context)
            // RFC 3501 7.4.1: no EXPUNGE during FETCH, STORE or SEARCH (they use sequence numbers).
            // RFC 3501 6.3.11: an APPEND (or COPY) into the selected folder is told at once, not
            // when the change feed gets round to it.
            try await context.refresh(allowExpunge: allowsExpunge(command.kind), force: addsMessages(command.kind))
            context.output.raw("\(tag) \(text)\r\n")
        } catch let refusal as StoreRefusal {
            context.output.raw("\(tag) NO \(refusal.imapReply)\r\n")
        } catch let failure as IMAPCommandFailure {
            context.output.raw("\(tag) \(failure.reply)\r\n")
        } catch {
            context.output.raw("\(tag) NO [SERVERBUG] Internal error; try again later\r\n")
        }
    }

    static func addsMessages(_ kind: IMAPCommand.Kind) -> Bool {
        switch kind {
        case .append, .copy: true
        default: false
        }
    }

    static func allowsExpunge(_ kind: IMAPCommand.Kind) -> Bool {
        switch kind {
        case .fetch(_, _, _, let uid, _), .store(_, _, let uid), .copy(_, _, let uid), .search(_, let uid, _),
            .sort(_, _, let uid):
            uid
        default: true
        }
    }

    /// Returns the tagged reply's text after the tag (`OK ...`).
    private static func execute(_ command: IMAPCommand, _ context: inout IMAPCommandContext) async throws -> String {
        switch command.kind.resolvingSavedResult(in: context.selected) {
        case .noop, .check: return "OK \(command.kind == .noop ? "NOOP" : "CHECK") completed"
        case .select(let name, let readOnly, let condstore, let qresync):
            return try await select(name, readOnly: readOnly, condstore: condstore, qresync: qresync, &context)
        case .close:
            if let selected = context.selected, !selected.isReadOnly {
                // RFC 3501 6.4.2: CLOSE expunges silently.
                _ = try await context.store.remove(nil, from: selected.folder.id, onlyDeleted: true)
            }
            context.selected = nil
            return "OK CLOSE completed"
        case .unselect:
            context.selected = nil
            return "OK UNSELECT completed"
        case .expunge: return try await expunge(nil, &context)
        case .uidExpunge(let set): return try await expunge(set, &context)
        case .status(let name, let items):
            let directory = try await context.directory()
            guard let folder = directory.folder(named: name) else { throw IMAPCommandFailure.noSuchMailbox }
            context.untagged(try await statusLine(folder, name: directory.imapName(folder), items: items, &context))
            return "OK STATUS completed"
        case .append(let name, let flags, let date, let message):
            return try await append(name, flags: flags, date: date, message: message, &context)
        case .fetch(let set, let items, let changedSince, let uid, let vanished):
            if vanished {
                // RFC 7162 3.2.6: VANISHED needs QRESYNC enabled.
                guard context.qresync else { throw IMAPCommandFailure.bad("VANISHED needs ENABLE QRESYNC") }
                try await IMAPQResyncReport.vanished(in: set, since: changedSince ?? 0, &context)
            }
            return try await IMAPFetch.run(set, items: items, changedSince: changedSince, uid: uid, &context)
        case .store(let set, let change, let uid): return try await IMAPFlagStore.run(set, change, uid: uid, &context)
        case .copy(let set, let name, let uid):
            return try await IMAPFlagStore.copy(set, to: name, uid: uid, move: false, &context)
        case .move(let set, let name, let uid):
            return try await IMAPFlagStore.copy(set, to: name, uid: uid, move: true, &context)
        case .search(let key, let uid, let options):
            return try await IMAPSearch.run(key, uid: uid, tag: command.tag, returnOptions: options, &context)
        case .sort(let criteria, let key, let uid):
            return try await IMAPSort.run(criteria, key, uid: uid, &context)
        case .list, .lsub, .create, .delete, .rename, .subscribe, .unsubscribe, .namespace, .getQuota,
            .getQuotaRoot:
            return try await IMAPFolderCommands.run(command.kind, &context)
        default:
            throw IMAPCommandFailure.bad("command not valid in this state")
        }
    }

    /// RFC 3501 6.3.1 SELECT / 6.3.2 EXAMINE, RFC 7162 3.1.2 HIGHESTMODSEQ.
    private static func select(
        _ name: String, readOnly: Bool, condstore: Bool, qresync: IMAPQResync?, _ context: inout IMAPCommandContext
    ) async throws -> String {
        if qresync != nil && !context.qresync {
            throw IMAPCommandFailure.bad("QRESYNC needs ENABLE QRESYNC first")
        }
        // RFC 7162 3.2.11 and RFC 9051 7.1: with QRESYNC or IMAP4rev2, leaving a selected folder is announced.
        if (context.qresync || context.rev2) && context.selected != nil {
            context.untagged("* OK [CLOSED] Previous mailbox closed\r\n")
        }
        // RFC 3501 6.3.1: a failed SELECT leaves no mailbox selected.
        context.selected = nil
        if condstore { context.condStore = true }
        let (folder, index) = try await selectionTarget(name, &context)
        var selected = SelectedMailbox(
            folder: folder, index: index, isReadOnly: readOnly, includeModSeq: context.condStore)
        selected.usesVanished = context.qresync
        selected.tracksRecent = !context.rev2
        let flags = (IMAPFlags.system.map(\.1) + index.keywordsInUse).joined(separator: " ")
        context.untagged("* FLAGS (\(flags))\r\n")
        context.untagged(
            readOnly
                ? "* OK [PERMANENTFLAGS ()] Read-only mailbox\r\n"
                : "* OK [PERMANENTFLAGS (\(flags) \\*)] Flags permitted\r\n")
        context.untagged("* \(index.count) EXISTS\r\n")
        if !context.rev2 { context.untagged("* 0 RECENT\r\n") }
        if let first = index.flags.firstIndex(where: { !$0.contains(.seen) }) {
            context.untagged("* OK [UNSEEN \(first + 1)] First unseen\r\n")
        }
        context.untagged("* OK [UIDVALIDITY \(folder.uidValidity)] UIDs valid\r\n")
        // The index may be newer than the folder row read before it.
        let uidNext = max(folder.uidNext, index.largestUID &+ 1)
        context.untagged("* OK [UIDNEXT \(uidNext)] Predicted next UID\r\n")
        let highest = max(index.modSeq, 1)
        context.untagged("* OK [HIGHESTMODSEQ \(highest)] Highest\r\n")
        context.selected = selected
        if let qresync, qresync.uidValidity == folder.uidValidity {
            try await IMAPQResyncReport.resynchronise(qresync, &context)
        }
        return readOnly ? "OK [READ-ONLY] EXAMINE completed" : "OK [READ-WRITE] SELECT completed"
    }

    /// The folder to select and its index: the cached index brought up to date with what changed
    /// since, or read whole.
    ///
    /// The usual case costs one store read: the folder found in the folder list read last (by
    /// this session's LIST, STATUS or an earlier SELECT), its cached index, and what changed
    /// since, read with the folder's current row. That row must still carry the name asked
    /// for; when it does not (renamed or deleted meanwhile), or anything is missing, the list
    /// is read again.
    private static func selectionTarget(_ name: String, _ context: inout IMAPCommandContext) async throws
        -> (FolderInfo, FolderIndex)
    {
        if let known = context.lastDirectory?.folder(named: name), context.watch.select(known.id) {
            // Nothing reported since the cache read it: no store read at all. The watch is set
            // first, so a change reported from here on still reaches this session.
            if let selection = context.folderIndexes.currentSelection(of: known.id, named: known.name) {
                return selection
            }
            let ticket = context.folderIndexes.ticket(for: known.id)
            if let cached = context.folderIndexes.index(of: known.id),
                let changes = try? await context.store.changes(in: known.id, since: cached.modSeq),
                let current = changes.folder, current.name == known.name
            {
                var index = cached
                index.apply(changes)
                context.folderIndexes.offer(index, for: current.id, current: current, ticket: ticket)
                return (current, index)
            }
        }
        let directory = try await context.directory()
        guard let folder = directory.folder(named: name) else { throw IMAPCommandFailure.noSuchMailbox }
        context.watch.select(folder.id)
        var index: FolderIndex
        if let cached = context.folderIndexes.index(of: folder.id) {
            index = cached
            index.apply(try await context.store.changes(in: folder.id, since: cached.modSeq))
        } else {
            index = try await context.store.folderIndex(folder.id)
        }
        context.folderIndexes.offer(index, for: folder.id)
        return (folder, index)
    }

    /// RFC 3501 6.4.3 EXPUNGE, RFC 4315 2.1 UID EXPUNGE.
    private static func expunge(_ set: IMAPSequenceSet?, _ context: inout IMAPCommandContext) async throws -> String {
        guard var selected = context.selected else { throw IMAPCommandFailure.bad("no mailbox selected") }
        guard !selected.isReadOnly else { throw IMAPCommandFailure.no("[READ-ONLY] The mailbox is read-only") }
        let uids = set.map { set in selected.resolve(set, uid: true).map(\.uid) }
        if let uids, uids.isEmpty { return "OK UID EXPUNGE completed" }
        let removed = try await context.store.remove(uids, from: selected.folder.id, onlyDeleted: true)
        for line in selected.expunge(removed) { context.untagged(line) }
        context.selected = selected
        return "OK EXPUNGE completed"
    }

    /// One `* STATUS` line (RFC 3501 7.2.4).
    static func statusLine(
        _ folder: FolderInfo, name: String, items: [IMAPStatusItem], _ context: inout IMAPCommandContext
    ) async throws -> String {
        var parts: [String] = []
        // SIZE and DELETED need the messages: one read serves both.
        let messages =
            items.contains(.size) || items.contains(.deleted)
            ? try await context.store.messages(in: folder.id, uids: nil) : []
        for item in items {
            let value: String
            switch item {
            case .messages: value = "\(folder.messageCount)"
            case .recent: value = "0"
            case .uidNext: value = "\(folder.uidNext)"
            case .uidValidity: value = "\(folder.uidValidity)"
            case .unseen: value = "\(folder.unseenCount)"
            case .highestModSeq: value = "\(max(folder.highestModSeq, 1))"
            case .size: value = "\(messages.reduce(0) { $0 + $1.size })"
            case .deleted: value = "\(messages.count(where: { $0.flags.contains(.deleted) }))"
            }
            parts.append("\(item.rawValue) \(value)")
        }
        var writer = IMAPResponseWriter()
        writer.raw("* STATUS ")
        writer.mailbox(name, utf8: context.rev2)
        writer.raw(" (\(parts.joined(separator: " ")))\r\n")
        return String(buffer: writer.buffer)
    }

    /// RFC 3501 6.3.11 APPEND, RFC 4315 APPENDUID, RFC 7889 APPENDLIMIT.
    private static func append(
        _ name: String, flags: [String], date: Date?, message: [UInt8], _ context: inout IMAPCommandContext
    ) async throws -> String {
        guard message.count <= context.appendLimit else {
            throw IMAPCommandFailure.no("[TOOBIG] The message is larger than \(context.appendLimit) bytes")
        }
        guard let (systemFlags, keywords) = IMAPFlags.parse(flags) else {
            throw IMAPCommandFailure.bad("unknown system flag")
        }
        let directory = try await context.directory()
        guard let folder = directory.folder(named: name) else {
            throw IMAPCommandFailure.no("[TRYCREATE] No such mailbox")
        }
        let assignment = try await context.store.append(
            IncomingMessage(bytes: Data(message), internalDate: date ?? context.clock.now), to: folder.id,
            flags: systemFlags, keywords: keywords)
        let uid = assignment.pairs.first?.destination ?? 0
        return "OK [APPENDUID \(assignment.uidValidity) \(uid)] APPEND completed"
    }
}

/// A command refused with a reply of its own (BAD or NO with a code).
struct IMAPCommandFailure: Error {
    var reply: String

    static func bad(_ text: String) -> IMAPCommandFailure { IMAPCommandFailure(reply: "BAD \(text)") }
    static func no(_ text: String) -> IMAPCommandFailure { IMAPCommandFailure(reply: "NO \(text)") }
    static let noSuchMailbox = IMAPCommandFailure.no("[NONEXISTENT] No such mailbox")
}
