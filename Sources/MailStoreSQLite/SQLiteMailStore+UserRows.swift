import Foundation
import GRDB
import MailStore

/// Row-level helpers shared by the user operations; each runs inside the caller's transaction.
extension SQLiteMailStore {
    static func liveUserID(_ db: Database, _ address: EmailAddress) throws -> UserID? {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT user_id FROM address WHERE address = ? AND is_live = 1"),
            arguments: [address.description]
        ).map(UserID.init)
    }

    static func requireLiveUser(_ db: Database, _ address: EmailAddress) throws -> UserID {
        guard let user = try liveUserID(db, address) else { throw StoreRefusal.userUnknown(address.description) }
        return user
    }

    static func requireAcceptedDomain(_ db: Database, _ address: EmailAddress) throws {
        guard try domainExists(db, address.domain) else { throw StoreRefusal.domainNotAccepted(address.description) }
    }

    static func requireFree(_ db: Database, _ address: EmailAddress) throws {
        guard try liveUserID(db, address) == nil else { throw StoreRefusal.addressTaken(address.description) }
    }

    static func insertAddress(_ db: Database, _ address: EmailAddress, user: UserID, primary: Bool) throws {
        try db.execute(
            sql: "INSERT INTO address (address, domain, user_id, is_primary, is_live) VALUES (?, ?, ?, ?, 1)",
            arguments: [address.description, address.domain, user.rawValue, primary])
    }

    /// Assigns a license; the CHECK on `sku.assigned` is what refuses the last-but-one racer.
    static func assign(_ db: Database, sku: String, to user: UserID, email: EmailAddress, now: Double) throws {
        let license = try license(db, sku)
        let held = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM license_assignment WHERE user_id = ? AND sku = ?)"),
            arguments: [user.rawValue, sku])
        guard held != true else { throw StoreRefusal.licenseAlreadyAssigned(user: email.description, sku: sku) }
        guard license.available > 0 else {
            throw StoreRefusal.noLicensesLeft(sku: sku, total: license.total, assigned: license.assigned)
        }
        do {
            try db.execute(
                sql: "INSERT INTO license_assignment (user_id, sku, assigned_at) VALUES (?, ?, ?)",
                arguments: [user.rawValue, sku, now])
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw StoreRefusal.noLicensesLeft(sku: sku, total: license.total, assigned: license.total)
        }
    }

    /// Gives a licensed user a mailbox: reconnects a disabled one (within 30 days it still
    /// exists) or makes a new one with the six standard folders.
    static func openMailbox(_ db: Database, for user: UserID, now: Double, changes: ChangeRecorder) throws {
        if let existing = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM mailbox WHERE user_id = ?"), arguments: [user.rawValue])
        {
            try db.execute(sql: "UPDATE mailbox SET disabled_at = NULL WHERE id = ?", arguments: [existing])
            return
        }
        try db.execute(sql: "INSERT INTO mailbox (user_id, created_at) VALUES (?, ?)", arguments: [user.rawValue, now])
        let mailbox = MailboxID(db.lastInsertedRowID)
        for role in FolderRole.allCases {
            _ = try insertFolder(db, name: role.defaultName, role: role, in: mailbox)
        }
        try changes.record(.folderList(mailbox))
    }

    /// A new folder with a UIDVALIDITY never used before in this store.
    static func insertFolder(_ db: Database, name: String, role: FolderRole?, in mailbox: MailboxID) throws -> FolderID
    {
        try db.execute(sql: "UPDATE organisation SET last_uid_validity = last_uid_validity + 1 WHERE id = 1")
        let uidValidity =
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT last_uid_validity FROM organisation WHERE id = 1")) ?? 1
        try db.execute(
            sql: "INSERT INTO folder (mailbox_id, name, role, uid_validity) VALUES (?, ?, ?, ?)",
            arguments: [mailbox.rawValue, name, role?.rawValue, uidValidity & 0xFFFF_FFFF])
        return FolderID(db.lastInsertedRowID)
    }

    static let profileColumns: [(UserProfile.Field, String)] = UserProfile.Field.allCases.map { ($0, $0.rawValue) }

    static func writeProfile(_ db: Database, _ user: UserID, _ profile: UserProfile) throws {
        let assignments = profileColumns.map { "\($0.1) = ?" }.joined(separator: ", ")
        var arguments = StatementArguments(profileColumns.map { profile[$0.0] })
        arguments += [user.rawValue]
        try db.execute(sql: "UPDATE user SET \(assignments) WHERE id = ?", arguments: arguments)
    }

    static func primaryAddress(_ db: Database, _ user: UserID) throws -> EmailAddress {
        guard
            let text = try String.fetchOne(
                db.cachedStatement(sql: "SELECT address FROM address WHERE user_id = ? AND is_primary = 1"),
                arguments: [user.rawValue]),
            let address = EmailAddress(text)
        else { throw DatabaseError(message: "user \(user) has no primary address") }
        return address
    }

    static func mailboxState(_ db: Database, _ user: UserID) throws -> MailboxState {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, disabled_at FROM mailbox WHERE user_id = ?"),
                arguments: [user.rawValue])
        else { return .none }
        let id = MailboxID(row["id"])
        if let since: Double = row["disabled_at"] { return .disabled(id, since: Date(timeIntervalSince1970: since)) }
        return .active(id)
    }

    static func account(_ db: Database, _ user: UserID) throws -> UserAccount {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM user WHERE id = ?"), arguments: [user.rawValue])
        else {
            throw DatabaseError(message: "user \(user) vanished")
        }
        var profile = UserProfile(displayName: row["display_name"])
        for (field, column) in profileColumns { profile[field] = row[column] }
        let aliases = try String.fetchAll(
            db.cachedStatement(
                sql: "SELECT address FROM address WHERE user_id = ? AND is_primary = 0 ORDER BY address"),
            arguments: [user.rawValue]
        ).compactMap(EmailAddress.init)
        let licenses = try String.fetchAll(
            db.cachedStatement(sql: "SELECT sku FROM license_assignment WHERE user_id = ? ORDER BY sku"),
            arguments: [user.rawValue])
        let atDeletion: String = row["licenses_at_deletion"]
        return UserAccount(
            id: user, email: try primaryAddress(db, user), aliases: aliases, profile: profile, licenses: licenses,
            mailbox: try mailboxState(db, user), mustChangePassword: row["must_change_password"],
            passwordChangedAt: (row["password_changed_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            isSignInBlocked: row["sign_in_blocked"], isActiveSyncEnabled: row["activesync_enabled"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            deletedAt: (row["deleted_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            licensesAtDeletion: atDeletion.split(separator: " ").map(String.init))
    }
}
