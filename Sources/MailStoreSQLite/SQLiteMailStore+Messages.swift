import Foundation
import GRDB
public import MailStore

extension SQLiteMailStore {
    public func setFlags(
        in folder: FolderID, uids: [MessageUID], mode: FlagChangeMode, flags: MessageFlags, keywords: [String],
        unchangedSince: ModSeq?
    ) async throws -> FlagChangeResult {
        try await write { db, changes in
            let mailbox = try Self.mailboxOfFolder(db, folder)
            var modSeq: ModSeq?
            var changed: [MessageSummary] = []
            var refused: [MessageUID] = []
            for uid in Set(uids).sorted() {
                guard var message = try Self.message(db, folder, uid) else { continue }
                // RFC 7162 3.1.3: a message modified after UNCHANGEDSINCE is left alone and reported.
                if let unchangedSince, message.modSeq > unchangedSince {
                    refused.append(uid)
                    continue
                }
                var newFlags = message.flags
                var newKeywords = Set(message.keywords)
                switch mode {
                case .replace:
                    newFlags = flags
                    newKeywords = Set(keywords)
                case .add:
                    newFlags.formUnion(flags)
                    newKeywords.formUnion(keywords)
                case .remove:
                    newFlags.subtract(flags)
                    newKeywords.subtract(keywords)
                }
                let sortedKeywords = newKeywords.sorted()
                guard newFlags != message.flags || sortedKeywords != message.keywords else { continue }
                let next = try modSeq ?? Self.bumpModSeq(db, folder)
                modSeq = next
                try db.execute(
                    sql: "UPDATE message SET flags = ?, keywords = ?, modseq = ? WHERE folder_id = ? AND uid = ?",
                    arguments: [newFlags.rawValue, sortedKeywords.joined(separator: " "), next, folder.rawValue, uid])
                message.flags = newFlags
                message.keywords = sortedKeywords
                message.modSeq = next
                changed.append(message)
            }
            if !changed.isEmpty { try changes.record(.folder(mailbox, folder)) }
            return FlagChangeResult(changed: changed, modifiedSince: refused)
        }
    }

    public func copy(_ uids: [MessageUID], from source: FolderID, to destination: FolderID) async throws
        -> UIDAssignment
    {
        try await write { db, changes in try Self.copy(db, uids, from: source, to: destination, changes: changes) }
    }

    public func move(_ uids: [MessageUID], from source: FolderID, to destination: FolderID) async throws
        -> UIDAssignment
    {
        try await write { db, changes in
            let assignment = try Self.copy(db, uids, from: source, to: destination, changes: changes)
            _ = try Self.remove(db, assignment.pairs.map(\.source), from: source, onlyDeleted: false, changes: changes)
            return assignment
        }
    }

    public func remove(_ uids: [MessageUID]?, from folder: FolderID, onlyDeleted: Bool) async throws -> [MessageUID] {
        try await write { db, changes in
            try Self.remove(db, uids, from: folder, onlyDeleted: onlyDeleted, changes: changes)
        }
    }

    public func changes(in folder: FolderID, since modSeq: ModSeq) async throws -> FolderChanges {
        try await read { db in
            guard let row = try Self.folderRow(db, folder) else {
                throw StoreRefusal.folderUnknown(String(describing: folder))
            }
            // No ORDER BY in SQL: it would make SQLite walk the whole folder in UID order
            // instead of the few rows past `modSeq` in the modseq indexes.
            let changed = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT uid, flags, keywords, internal_date, size, modseq, content_id FROM message
                        WHERE folder_id = ? AND modseq > ?
                        """), arguments: [folder.rawValue, modSeq]
            ).map(Self.summary(from:)).sorted { $0.uid < $1.uid }
            let vanished = try Int64.fetchAll(
                db.cachedStatement(sql: "SELECT uid FROM expunged WHERE folder_id = ? AND modseq > ?"),
                arguments: [folder.rawValue, modSeq]
            ).map { MessageUID(truncatingIfNeeded: $0) }.sorted()
            return FolderChanges(
                changed: changed, vanished: vanished, highestModSeq: row["highest_modseq"],
                folder: Self.folder(from: row))
        }
    }

    // MARK: Row helpers

    static func copy(
        _ db: Database, _ uids: [MessageUID], from source: FolderID, to destination: FolderID,
        changes: ChangeRecorder
    ) throws -> UIDAssignment {
        guard let target = try folderRow(db, destination) else {
            throw StoreRefusal.folderUnknown(String(describing: destination))
        }
        _ = try mailboxOfFolder(db, source)
        var pairs: [(source: MessageUID, destination: MessageUID)] = []
        for uid in Set(uids).sorted() {
            guard let message = try message(db, source, uid) else { continue }
            let newUID = try insertMessage(
                db, into: destination, content: message.content, size: message.size, flags: message.flags,
                keywords: message.keywords, internalDate: message.internalDate, changes: changes)
            pairs.append((uid, newUID))
        }
        return UIDAssignment(uidValidity: UInt32(truncatingIfNeeded: target["uid_validity"] as Int64), pairs: pairs)
    }

    static func remove(
        _ db: Database, _ uids: [MessageUID]?, from folder: FolderID, onlyDeleted: Bool, changes: ChangeRecorder
    ) throws -> [MessageUID] {
        let mailbox = try mailboxOfFolder(db, folder)
        let deletedOnly = onlyDeleted ? "AND (flags & \(MessageFlags.deleted.rawValue)) != 0" : ""
        var candidates = try Int64.fetchAll(
            db, sql: "SELECT uid FROM message WHERE folder_id = ? \(deletedOnly) ORDER BY uid",
            arguments: [folder.rawValue]
        ).map { MessageUID(truncatingIfNeeded: $0) }
        if let uids {
            let wanted = Set(uids)
            candidates = candidates.filter(wanted.contains)
        }
        guard !candidates.isEmpty else { return [] }
        let modSeq = try bumpModSeq(db, folder)
        for uid in candidates {
            try db.execute(
                sql: "DELETE FROM message WHERE folder_id = ? AND uid = ?", arguments: [folder.rawValue, uid])
            try db.execute(
                sql: "INSERT OR REPLACE INTO expunged (folder_id, uid, modseq) VALUES (?, ?, ?)",
                arguments: [folder.rawValue, uid, modSeq])
        }
        try changes.record(.folder(mailbox, folder))
        return candidates
    }

    /// Stores message bytes with their structure, computed by the caller outside the write
    /// transaction (parsing inside it would hold up every other writer).
    static func insertContent(_ db: Database, _ bytes: Data, _ structure: ContentStructure) throws -> ContentID {
        try db.cachedStatement(sql: "INSERT INTO content (size, bytes) VALUES (?, ?)")
            .execute(arguments: [bytes.count, bytes])
        let content = ContentID(db.lastInsertedRowID)
        try db.cachedStatement(
            sql: "INSERT INTO content_structure (content_id, envelope, body_structure) VALUES (?, ?, ?)"
        ).execute(arguments: [content.rawValue, Data(structure.envelope), Data(structure.bodyStructure)])
        return content
    }

    static func dropContentIfUnused(_ db: Database, _ content: ContentID) throws {
        try db.cachedStatement(
            sql: "DELETE FROM content WHERE id = ? AND NOT EXISTS (SELECT 1 FROM message WHERE content_id = ?)"
        ).execute(arguments: [content.rawValue, content.rawValue])
    }

    /// Files a stored content in a folder under the next UID, with a new modseq, after checking
    /// that the mailbox is enabled and has room.
    static func insertMessage(
        _ db: Database, into folder: FolderID, content: ContentID, size: Int, flags: MessageFlags, keywords: [String],
        internalDate: Date, changes: ChangeRecorder
    ) throws -> MessageUID {
        // The delivery hot path: cached statements, parsed once per connection.
        let mailboxState = try db.cachedStatement(
            sql: """
                SELECT m.id, m.disabled_at, m.quota_bytes, m.used_bytes FROM folder f
                JOIN mailbox m ON m.id = f.mailbox_id WHERE f.id = ?
                """)
        guard let box = try Row.fetchOne(mailboxState, arguments: [folder.rawValue]) else {
            throw StoreRefusal.folderUnknown(String(describing: folder))
        }
        guard box["disabled_at"] as Double? == nil else { throw StoreRefusal.mailboxUnavailable }
        if let quota: Int64 = box["quota_bytes"], (box["used_bytes"] as Int64) + Int64(size) > quota {
            throw StoreRefusal.quotaExceeded
        }
        let nextUID = try db.cachedStatement(
            sql: """
                UPDATE folder SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1
                WHERE id = ? RETURNING uid_next - 1 AS uid, highest_modseq
                """)
        guard let row = try Row.fetchOne(nextUID, arguments: [folder.rawValue]) else {
            throw StoreRefusal.folderUnknown(String(describing: folder))
        }
        let uid: Int64 = row["uid"]
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO message (folder_id, uid, content_id, flags, keywords, internal_date, size, modseq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
        try insert.execute(
            arguments: [
                folder.rawValue, uid, content.rawValue, flags.rawValue, keywords.sorted().joined(separator: " "),
                internalDate.timeIntervalSince1970, size, row["highest_modseq"] as Int64,
            ])
        try changes.record(.folder(MailboxID(box["id"]), folder))
        return MessageUID(truncatingIfNeeded: uid)
    }

    static func bumpModSeq(_ db: Database, _ folder: FolderID) throws -> ModSeq {
        guard
            let value = try Int64.fetchOne(
                db.cachedStatement(
                    sql: "UPDATE folder SET highest_modseq = highest_modseq + 1 WHERE id = ? RETURNING highest_modseq"),
                arguments: [folder.rawValue])
        else { throw StoreRefusal.folderUnknown(String(describing: folder)) }
        return value
    }

    static func inbox(_ db: Database, of mailbox: MailboxID) throws -> FolderID {
        let lookup = try db.cachedStatement(sql: "SELECT id FROM folder WHERE mailbox_id = ? AND role = 'inbox'")
        guard let id = try Int64.fetchOne(lookup, arguments: [mailbox.rawValue]) else {
            throw StoreRefusal.mailboxUnavailable
        }
        return FolderID(id)
    }

    static func mailboxOfFolder(_ db: Database, _ folder: FolderID) throws -> MailboxID {
        guard
            let id = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT mailbox_id FROM folder WHERE id = ?"), arguments: [folder.rawValue])
        else { throw StoreRefusal.folderUnknown(String(describing: folder)) }
        return MailboxID(id)
    }

    static func folderRow(_ db: Database, _ id: FolderID) throws -> Row? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM folder WHERE id = ?"), arguments: [id.rawValue])
    }

    static func folderID(_ db: Database, named name: String, in mailbox: MailboxID) throws -> FolderID? {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM folder WHERE mailbox_id = ? AND name = ?"),
            arguments: [mailbox.rawValue, name]
        ).map(FolderID.init)
    }

    static func message(_ db: Database, _ folder: FolderID, _ uid: MessageUID) throws -> MessageSummary? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT uid, flags, keywords, internal_date, size, modseq, content_id FROM message
                WHERE folder_id = ? AND uid = ?
                """, arguments: [folder.rawValue, uid]
        ).map(summary(from:))
    }

    /// A row of `SELECT uid, flags, keywords, internal_date, size, modseq, content_id`, read by
    /// position: by name, GRDB matches each column case-insensitively, which showed in profiles
    /// of FETCH over big folders.
    static func summary(from row: Row) -> MessageSummary {
        let keywords: String = row[2]
        return MessageSummary(
            uid: MessageUID(truncatingIfNeeded: row[0] as Int64), flags: MessageFlags(rawValue: row[1]),
            keywords: keywords.isEmpty ? [] : keywords.split(separator: " ").map(String.init),
            internalDate: Date(timeIntervalSince1970: row[3]), size: row[4], modSeq: row[5],
            content: ContentID(row[6]))
    }

    static func folder(from row: Row) -> FolderInfo {
        FolderInfo(
            id: FolderID(row["id"]), mailbox: MailboxID(row["mailbox_id"]), name: row["name"],
            role: (row["role"] as String?).flatMap(FolderRole.init(rawValue:)),
            uidValidity: UInt32(truncatingIfNeeded: row["uid_validity"] as Int64),
            uidNext: MessageUID(truncatingIfNeeded: row["uid_next"] as Int64), highestModSeq: row["highest_modseq"],
            isSubscribed: row["subscribed"], messageCount: row["message_count"], unseenCount: row["unseen_count"])
    }
}
