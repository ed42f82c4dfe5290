public import Foundation
import GRDB
import GRDBSQLite
public import MailStore

extension SQLiteMailStore {
    public func resolveRecipient(_ address: EmailAddress) async throws -> RecipientResolution {
        let key = address.description
        let generation: UInt64
        switch recipients.lookup(key) {
        case .hit(let resolution): return resolution
        case .miss(let missed): generation = missed
        }
        let resolution = try await read { db -> RecipientResolution in
            guard try Self.domainExists(db, address.domain) else { return .foreignDomain }
            guard let user = try Self.liveUserID(db, address) else { return .unknownUser }
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT id, disabled_at, quota_bytes, used_bytes FROM mailbox WHERE user_id = ?"),
                    arguments: [user.rawValue]),
                row["disabled_at"] as Double? == nil
            else { return .disabled }
            let quota: Int64? = row["quota_bytes"]
            return .mailbox(MailboxID(row["id"]), user: user, quotaRemaining: quota.map { $0 - row["used_bytes"] })
        }
        recipients.remember(resolution, for: key, generation: generation)
        return resolution
    }

    public func deliver(_ message: IncomingMessage, to mailboxes: [MailboxID]) async throws
        -> [Result<MessageUID, StoreRefusal>]
    {
        let structure = await Self.structure(of: message.bytes)
        return try await write { db, changes in
            let content = try Self.insertContent(db, message.bytes, structure)
            var results: [Result<MessageUID, StoreRefusal>] = []
            for mailbox in mailboxes {
                do {
                    let uid = try db.inNestedSavepoint {
                        try Self.insertMessage(
                            db, into: try Self.inbox(db, of: mailbox), content: content, size: message.bytes.count,
                            flags: [], keywords: [], internalDate: message.internalDate, changes: changes)
                    }
                    results.append(.success(uid))
                } catch let refusal as StoreRefusal {
                    results.append(.failure(refusal))
                }
            }
            try Self.dropContentIfUnused(db, content)
            return results
        }
    }

    public func deliverPasswordNotice(_ message: IncomingMessage, to user: UserID, passwordChangedAt: Date)
        async throws -> Bool
    {
        let structure = await Self.structure(of: message.bytes)
        return try await write { db, changes in
            let stamp = passwordChangedAt.timeIntervalSince1970
            try db.execute(
                sql: """
                    UPDATE user SET password_notice_for = ?
                    WHERE id = ? AND password_changed_at = ? AND password_notice_for IS NOT ?
                    """, arguments: [stamp, user.rawValue, stamp, stamp])
            guard db.changesCount == 1, case .active(let mailbox) = try Self.mailboxState(db, user) else {
                return false
            }
            let content = try Self.insertContent(db, message.bytes, structure)
            _ = try Self.insertMessage(
                db, into: try Self.inbox(db, of: mailbox), content: content, size: message.bytes.count, flags: [],
                keywords: [], internalDate: message.internalDate, changes: changes)
            return true
        }
    }

    /// The structure of a message about to be stored. A big one is parsed on the global executor:
    /// the caller may be a session running on an event loop, which must not stall.
    static func structure(of bytes: Data) async -> ContentStructure {
        guard bytes.count > 64 * 1024 else { return ContentStructure(of: bytes) }
        return await withTaskExecutorPreference(globalConcurrentExecutor) { ContentStructure(of: bytes) }
    }

    public func folders(of mailbox: MailboxID) async throws -> [FolderInfo] {
        try await read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM folder WHERE mailbox_id = ? ORDER BY name"),
                arguments: [mailbox.rawValue]
            )
            .map(Self.folder(from:))
        }
    }

    public func folder(_ id: FolderID) async throws -> FolderInfo? {
        try await read { db in try Self.folderRow(db, id).map(Self.folder(from:)) }
    }

    public func folder(named name: String, in mailbox: MailboxID) async throws -> FolderInfo? {
        try await read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM folder WHERE mailbox_id = ? AND name = ?"),
                arguments: [mailbox.rawValue, name]
            ).map(Self.folder(from:))
        }
    }

    public func createFolder(named name: String, in mailbox: MailboxID) async throws -> FolderInfo {
        guard FolderInfo.isValidName(name) else { throw StoreRefusal.invalidFolderName(name) }
        return try await write { db, changes in
            guard try Self.folderID(db, named: name, in: mailbox) == nil else { throw StoreRefusal.folderExists(name) }
            // RFC 3501 6.3.3: creating a/b/c creates the superior names that are missing.
            let levels = name.split(separator: FolderInfo.delimiter)
            var created: FolderID?
            for depth in 1...levels.count {
                let path = levels.prefix(depth).joined(separator: String(FolderInfo.delimiter))
                if try Self.folderID(db, named: path, in: mailbox) == nil {
                    created = try Self.insertFolder(db, name: path, role: nil, in: mailbox)
                }
            }
            try changes.record(.folderList(mailbox))
            guard let created, let row = try Self.folderRow(db, created) else { throw StoreRefusal.folderExists(name) }
            return Self.folder(from: row)
        }
    }

    public func renameFolder(_ id: FolderID, to newName: String) async throws {
        guard FolderInfo.isValidName(newName) else { throw StoreRefusal.invalidFolderName(newName) }
        try await write { db, changes in
            guard let row = try Self.folderRow(db, id) else { throw StoreRefusal.folderUnknown(String(describing: id)) }
            let folder = Self.folder(from: row)
            guard folder.role != .inbox else { throw StoreRefusal.folderHasRole(folder.name) }
            guard try Self.folderID(db, named: newName, in: folder.mailbox) == nil else {
                throw StoreRefusal.folderExists(newName)
            }
            let prefix = folder.name + String(FolderInfo.delimiter)
            // Children follow (RFC 3501 6.3.5): "a/x" becomes "b/x" when "a" becomes "b".
            try db.execute(
                sql: """
                    UPDATE folder SET name = ? || substr(name, ?) WHERE mailbox_id = ? AND substr(name, 1, ?) = ?
                    """,
                arguments: [
                    newName + String(FolderInfo.delimiter), prefix.count + 1, folder.mailbox.rawValue,
                    prefix.count, prefix,
                ])
            try db.execute(sql: "UPDATE folder SET name = ? WHERE id = ?", arguments: [newName, id.rawValue])
            try changes.record(.folderList(folder.mailbox))
        }
    }

    public func deleteFolder(_ id: FolderID) async throws {
        try await write { db, changes in
            guard let row = try Self.folderRow(db, id) else { throw StoreRefusal.folderUnknown(String(describing: id)) }
            let folder = Self.folder(from: row)
            guard folder.role == nil else { throw StoreRefusal.folderHasRole(folder.name) }
            try db.execute(sql: "DELETE FROM message WHERE folder_id = ?", arguments: [id.rawValue])
            try db.execute(sql: "DELETE FROM folder WHERE id = ?", arguments: [id.rawValue])
            try changes.record(.folderList(folder.mailbox))
            try changes.record(.folder(folder.mailbox, id))
        }
    }

    public func setSubscribed(_ id: FolderID, _ subscribed: Bool) async throws {
        try await write { db, changes in
            guard
                let mailbox = try Int64.fetchOne(
                    db.cachedStatement(sql: "UPDATE folder SET subscribed = ? WHERE id = ? RETURNING mailbox_id"),
                    arguments: [subscribed, id.rawValue])
            else { throw StoreRefusal.folderUnknown(String(describing: id)) }
            try changes.record(.folderList(MailboxID(mailbox)))
        }
    }

    public func messages(in folder: FolderID, uids: ClosedRange<MessageUID>?) async throws -> [MessageSummary] {
        let range = uids ?? 1...MessageUID.max
        return try await read { db in
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT uid, flags, keywords, internal_date, size, modseq, content_id FROM message
                        WHERE folder_id = ? AND uid BETWEEN ? AND ? ORDER BY uid
                        """), arguments: [folder.rawValue, range.lowerBound, range.upperBound])
            var summaries: [MessageSummary] = []
            while let row = try rows.next() { summaries.append(Self.summary(from: row)) }
            return summaries
        }
    }

    public func messageBytes(_ content: ContentID) async throws -> Data? {
        try await read { db in
            try Data.fetchOne(
                db.cachedStatement(sql: "SELECT bytes FROM content WHERE id = ?"), arguments: [content.rawValue])
        }
    }

    public func folderIndex(_ folder: FolderID) async throws -> FolderIndex {
        try await read { db in
            guard let row = try Self.folderRow(db, folder) else {
                throw StoreRefusal.folderUnknown(String(describing: folder))
            }
            var index = FolderIndex(modSeq: row["highest_modseq"])
            // Columns by position and keywords split only when present: this runs on SELECT.
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: "SELECT uid, flags, keywords, modseq FROM message WHERE folder_id = ? ORDER BY uid"),
                arguments: [folder.rawValue])
            while let message = try rows.next() {
                let keywords: String = message[2]
                index.append(
                    uid: MessageUID(truncatingIfNeeded: message[0] as Int64), flags: MessageFlags(rawValue: message[1]),
                    keywords: keywords.isEmpty ? [] : keywords.split(separator: " ").map(String.init),
                    modSeq: message[3])
            }
            return index
        }
    }

    public func messageBytes(_ contents: [ContentID]) async throws -> [ContentID: Data] {
        guard !contents.isEmpty else { return [:] }
        return try await read { db in
            var found: [ContentID: Data] = [:]
            try Self.inBatches(contents) { batch, marks in
                // Cached per batch size: readers ask for the same few sizes again and again.
                let rows = try Row.fetchCursor(
                    db.cachedStatement(sql: "SELECT id, bytes FROM content WHERE id IN (\(marks))"),
                    arguments: StatementArguments(batch.map(\.rawValue)))
                while let row = try rows.next() { found[ContentID(row[0])] = row[1] }
            }
            return found
        }
    }

    /// Calls `body` with the IDs in batches that stay under SQLite's default limit of host
    /// parameters per statement, each with its `?,?,…` list.
    static func inBatches(_ contents: [ContentID], _ body: (ArraySlice<ContentID>, String) throws -> Void) rethrows {
        for start in stride(from: 0, to: contents.count, by: 500) {
            let batch = contents[start..<min(start + 500, contents.count)]
            try body(batch, Array(repeating: "?", count: batch.count).joined(separator: ","))
        }
    }

    public func structures(in folder: FolderID, uids: ClosedRange<MessageUID>) async throws -> ContentStructures {
        try await read { db in
            let statement = try db.cachedStatement(
                sql: """
                    SELECT m.uid, s.envelope, s.body_structure FROM message m
                    JOIN content_structure s ON s.content_id = m.content_id
                    WHERE m.folder_id = ? AND m.uid BETWEEN ? AND ?
                    """)
            let rows = try Row.fetchCursor(statement, arguments: [folder.rawValue, uids.lowerBound, uids.upperBound])
            let span = Int(min(uids.upperBound - uids.lowerBound, 10_000)) + 1
            var found = ContentStructures()
            found.reserveCapacity(messages: span, bytes: span * 768)
            // Each row's blobs go from SQLite's buffer straight into the one shared buffer: no
            // Data or array per message (a header FETCH of a big folder reads thousands).
            let raw = statement.sqliteStatement
            while try rows.next() != nil {
                found.append(
                    MessageUID(truncatingIfNeeded: sqlite3_column_int64(raw, 0)),
                    envelope: Self.blob(raw, column: 1), bodyStructure: Self.blob(raw, column: 2))
            }
            return found
        }
    }

    /// A blob column of the current row, valid until the statement steps again.
    private static func blob(_ statement: SQLiteStatement, column: Int32) -> UnsafeRawBufferPointer {
        // sqlite3_column_blob before sqlite3_column_bytes, as SQLite documents.
        let start = sqlite3_column_blob(statement, column)
        return UnsafeRawBufferPointer(start: start, count: Int(sqlite3_column_bytes(statement, column)))
    }

    public func append(_ message: IncomingMessage, to folder: FolderID, flags: MessageFlags, keywords: [String])
        async throws -> UIDAssignment
    {
        let structure = await Self.structure(of: message.bytes)
        return try await write { db, changes in
            guard let row = try Self.folderRow(db, folder) else {
                throw StoreRefusal.folderUnknown(String(describing: folder))
            }
            let content = try Self.insertContent(db, message.bytes, structure)
            let uid = try Self.insertMessage(
                db, into: folder, content: content, size: message.bytes.count, flags: flags, keywords: keywords,
                internalDate: message.internalDate, changes: changes)
            return UIDAssignment(
                uidValidity: UInt32(truncatingIfNeeded: row["uid_validity"] as Int64), pairs: [(0, uid)])
        }
    }
}
