import MailStore
import NIOCore

/// Folder commands: LIST/LSUB (RFC 3501 6.3.8-9, RFC 5258, RFC 5819, RFC 6154), CREATE, DELETE,
/// RENAME, SUBSCRIBE, UNSUBSCRIBE, NAMESPACE (RFC 2342), GETQUOTA/GETQUOTAROOT (RFC 9208).
enum IMAPFolderCommands {
    static func run(_ kind: IMAPCommand.Kind, _ context: inout IMAPCommandContext) async throws -> String {
        let directory = try await context.directory()
        switch kind {
        case .list(let list): return try await self.list(list, directory, &context)
        case .lsub(let reference, let pattern):
            for folder in matching(reference + pattern, directory) where folder.isSubscribed {
                context.untagged(listLine("LSUB", "", directory.imapName(folder), utf8: context.rev2))
            }
            return "OK LSUB completed"
        case .namespace:
            context.untagged("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n")
            return "OK NAMESPACE completed"
        case .create(let name):
            let storeName = directory.storeName(name)
            guard storeName != directory.storeName("INBOX") || name.uppercased() != "INBOX",
                directory.folder(named: name) == nil
            else { throw IMAPCommandFailure.no("[ALREADYEXISTS] Mailbox already exists") }
            // RFC 3501 6.3.3: create the superior levels the name needs.
            let levels = storeName.split(separator: "/", omittingEmptySubsequences: false)
            for depth in 1..<max(levels.count, 1) {
                let parent = levels[0..<depth].joined(separator: "/")
                if directory.folder(named: parent) == nil {
                    _ = try await context.store.createFolder(named: parent, in: context.mailbox)
                }
            }
            _ = try await context.store.createFolder(named: storeName, in: context.mailbox)
            return "OK CREATE completed"
        case .delete(let name):
            guard let folder = directory.folder(named: name) else { throw IMAPCommandFailure.noSuchMailbox }
            guard folder.role == nil else {
                throw IMAPCommandFailure.no("[CANNOT] \(StoreRefusal.folderHasRole(directory.imapName(folder)))")
            }
            if context.selected?.folder.id == folder.id { context.selected = nil }
            try await context.store.deleteFolder(folder.id)
            context.folderIndexes.forget(folder.id)
            return "OK DELETE completed"
        case .rename(let from, let to):
            guard let folder = directory.folder(named: from) else { throw IMAPCommandFailure.noSuchMailbox }
            guard directory.folder(named: to) == nil else {
                throw IMAPCommandFailure.no("[ALREADYEXISTS] Mailbox already exists")
            }
            if folder.role == .inbox {
                // RFC 3501 6.3.5: renaming INBOX moves its messages to a new folder of that name
                // and leaves INBOX, empty, in place.
                let created = try await context.store.createFolder(named: directory.storeName(to), in: context.mailbox)
                let uids = try await context.store.messages(in: folder.id, uids: nil).map(\.uid)
                if !uids.isEmpty { _ = try await context.store.move(uids, from: folder.id, to: created.id) }
                return "OK RENAME completed"
            }
            try await context.store.renameFolder(folder.id, to: directory.storeName(to))
            return "OK RENAME completed"
        case .subscribe(let name), .unsubscribe(let name):
            guard let folder = directory.folder(named: name) else { throw IMAPCommandFailure.noSuchMailbox }
            let subscribe = if case .subscribe = kind { true } else { false }
            try await context.store.setSubscribed(folder.id, subscribe)
            return subscribe ? "OK SUBSCRIBE completed" : "OK UNSUBSCRIBE completed"
        case .getQuotaRoot(let name):
            guard directory.folder(named: name) != nil else { throw IMAPCommandFailure.noSuchMailbox }
            var writer = IMAPResponseWriter()
            writer.raw("* QUOTAROOT ")
            writer.mailbox(name, utf8: context.rev2)
            writer.raw(" \"\"\r\n")
            context.untagged(String(buffer: writer.buffer))
            context.untagged(try await quotaLine(directory, &context))
            return "OK GETQUOTAROOT completed"
        case .getQuota(let root):
            guard root.isEmpty else { throw IMAPCommandFailure.no("[NONEXISTENT] No such quota root") }
            context.untagged(try await quotaLine(directory, &context))
            return "OK GETQUOTA completed"
        default:
            throw IMAPCommandFailure.bad("command not valid in this state")
        }
    }

    /// RFC 9208 5.1: `STORAGE` in units of 1024 octets.
    private static func quotaLine(_ directory: FolderDirectory, _ context: inout IMAPCommandContext) async throws
        -> String
    {
        var used = 0
        for folder in directory.folders {
            used += try await context.store.messages(in: folder.id, uids: nil).reduce(0) { $0 + $1.size }
        }
        var limit = Int64(Int32.max)
        if case .mailbox(_, _, let remaining?) = try await context.store.resolveRecipient(context.user) {
            limit = (Int64(used) + max(remaining, 0)) / 1024
        }
        return "* QUOTA \"\" (STORAGE \((used + 1023) / 1024) \(limit))\r\n"
    }

    private static func matching(_ pattern: String, _ directory: FolderDirectory) -> [FolderInfo] {
        directory.folders
            .filter { FolderDirectory.matches(directory.imapName($0), pattern: pattern) }
            .sorted { directory.imapName($0) < directory.imapName($1) }
    }

    private static func listLine(_ kind: String, _ attributes: String, _ name: String, utf8: Bool) -> String {
        var writer = IMAPResponseWriter()
        writer.raw("* \(kind) (\(attributes)) \"/\" ")
        writer.mailbox(name, utf8: utf8)
        writer.crlf()
        return String(buffer: writer.buffer)
    }

    private static func list(
        _ list: IMAPListCommand, _ directory: FolderDirectory, _ context: inout IMAPCommandContext
    ) async throws -> String {
        // RFC 3501 6.3.8: an empty pattern asks for the delimiter and root.
        if list.patterns == [""] {
            context.untagged("* LIST (\\Noselect) \"/\" \"\"\r\n")
            return "OK LIST completed"
        }
        let onlySubscribed = list.selectOptions.contains("SUBSCRIBED")
        let onlySpecialUse = list.selectOptions.contains("SPECIAL-USE")
        let showSubscribed = onlySubscribed || list.returnOptions.contains("SUBSCRIBED")
        var seen = Set<FolderID>()
        for pattern in list.patterns {
            for folder in matching(list.reference + pattern, directory) where !seen.contains(folder.id) {
                seen.insert(folder.id)
                if onlySubscribed && !folder.isSubscribed { continue }
                let specialUse = folder.role?.specialUseAttribute
                if onlySpecialUse && specialUse == nil { continue }
                // RFC 3348 CHILDREN; RFC 6154 special-use attributes are always shown.
                var attributes = [directory.hasChildren(folder) ? "\\HasChildren" : "\\HasNoChildren"]
                if let specialUse { attributes.append(specialUse) }
                if showSubscribed && folder.isSubscribed { attributes.append("\\Subscribed") }
                let name = directory.imapName(folder)
                context.untagged(listLine("LIST", attributes.joined(separator: " "), name, utf8: context.rev2))
                if !list.statusItems.isEmpty {
                    // RFC 5819: STATUS right after the folder's LIST line.
                    context.untagged(
                        try await IMAPCommandRunner.statusLine(folder, name: name, items: list.statusItems, &context))
                }
            }
        }
        return "OK LIST completed"
    }
}
