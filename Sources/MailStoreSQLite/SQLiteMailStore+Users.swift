import Foundation
import GRDB
public import MailStore

extension SQLiteMailStore {
    public func createUser(_ new: NewUser) async throws -> UserAccount {
        if let problem = new.profile.problem() { throw StoreRefusal.invalidProfile(problem) }
        return try await write { db, changes in
            try Self.requireAcceptedDomain(db, new.email)
            try Self.requireFree(db, new.email)
            try db.execute(
                sql: """
                    INSERT INTO user (display_name, password_hash, must_change_password, password_changed_at,
                        sign_in_blocked, created_at) VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    new.profile.displayName, new.passwordHash, new.mustChangePassword, changes.now,
                    new.isSignInBlocked, changes.now,
                ])
            let user = UserID(db.lastInsertedRowID)
            try Self.writeProfile(db, user, new.profile)
            try Self.insertAddress(db, new.email, user: user, primary: true)
            for sku in Set(new.licenses).sorted() {
                try Self.assign(db, sku: sku, to: user, email: new.email, now: changes.now)
            }
            if !new.licenses.isEmpty { try Self.openMailbox(db, for: user, now: changes.now, changes: changes) }
            try changes.record(.account(user))
            try changes.record(.directory)
            return try Self.account(db, user)
        }
    }

    public func user(_ address: EmailAddress) async throws -> UserAccount? {
        try await read { db in try Self.liveUserID(db, address).map { try Self.account(db, $0) } }
    }

    public func user(id: UserID) async throws -> UserAccount? {
        try await read { db in
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM user WHERE id = ?)"), arguments: [id.rawValue])
                == true ? try Self.account(db, id) : nil
        }
    }

    public func users(_ filter: UserFilter) async throws -> [UserAccount] {
        let condition =
            switch filter {
            case .live: "u.deleted_at IS NULL"
            case .unlicensed:
                "u.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM license_assignment l WHERE l.user_id = u.id)"
            case .deleted: "u.deleted_at IS NOT NULL"
            }
        return try await read { db in
            let ids = try Int64.fetchAll(
                db,
                sql: """
                    SELECT u.id FROM user u JOIN address a ON a.user_id = u.id AND a.is_primary = 1
                    WHERE \(condition) ORDER BY a.address, u.deleted_at DESC
                    """)
            return try ids.map { try Self.account(db, UserID($0)) }
        }
    }

    public func updateProfile(of address: EmailAddress, to profile: UserProfile) async throws -> UserAccount {
        if let problem = profile.problem() { throw StoreRefusal.invalidProfile(problem) }
        return try await write { db, changes in
            let user = try Self.requireLiveUser(db, address)
            try Self.writeProfile(db, user, profile)
            try changes.record(.account(user))
            return try Self.account(db, user)
        }
    }

    public func renameUser(_ address: EmailAddress, to newAddress: EmailAddress) async throws -> UserAccount {
        try await write { db, changes in
            let user = try Self.requireLiveUser(db, address)
            try Self.requireAcceptedDomain(db, newAddress)
            let holder = try Self.liveUserID(db, newAddress)
            guard holder == nil || holder == user else { throw StoreRefusal.addressTaken(newAddress.description) }
            if holder == user {
                // The new primary is one of the user's aliases: promote it.
                try db.execute(
                    sql: "DELETE FROM address WHERE user_id = ? AND address = ?",
                    arguments: [user.rawValue, newAddress.description])
            }
            try db.execute(sql: "UPDATE address SET is_primary = 0 WHERE user_id = ?", arguments: [user.rawValue])
            try Self.insertAddress(db, newAddress, user: user, primary: true)
            try changes.record(.account(user))
            return try Self.account(db, user)
        }
    }

    public func setSignInBlocked(_ address: EmailAddress, _ blocked: Bool) async throws -> UserAccount {
        try await updateUserColumn(address, column: "sign_in_blocked", value: blocked)
    }

    public func setActiveSyncEnabled(_ address: EmailAddress, _ enabled: Bool) async throws -> UserAccount {
        try await updateUserColumn(address, column: "activesync_enabled", value: enabled)
    }

    private func updateUserColumn(_ address: EmailAddress, column: String, value: Bool) async throws -> UserAccount {
        try await write { db, changes in
            let user = try Self.requireLiveUser(db, address)
            try db.execute(sql: "UPDATE user SET \(column) = ? WHERE id = ?", arguments: [value, user.rawValue])
            try changes.record(.account(user))
            return try Self.account(db, user)
        }
    }

    public func assignLicense(_ sku: String, to address: EmailAddress) async throws -> UserAccount {
        try await write { db, changes in
            let user = try Self.requireLiveUser(db, address)
            try Self.assign(db, sku: sku, to: user, email: address, now: changes.now)
            try Self.openMailbox(db, for: user, now: changes.now, changes: changes)
            try changes.record(.account(user))
            try changes.record(.directory)
            return try Self.account(db, user)
        }
    }

    public func removeLicense(_ sku: String, from address: EmailAddress) async throws -> LicenseRemoval {
        try await write { db, changes in
            let user = try Self.requireLiveUser(db, address)
            try db.execute(
                sql: "DELETE FROM license_assignment WHERE user_id = ? AND sku = ?", arguments: [user.rawValue, sku])
            guard db.changesCount == 1 else {
                throw StoreRefusal.licenseNotAssigned(user: address.description, sku: sku)
            }
            let remaining =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT count(*) FROM license_assignment WHERE user_id = ?"),
                    arguments: [user.rawValue])
                ?? 0
            var disabled = false
            if remaining == 0 {
                try db.execute(
                    sql: "UPDATE mailbox SET disabled_at = ? WHERE user_id = ? AND disabled_at IS NULL",
                    arguments: [changes.now, user.rawValue])
                disabled = db.changesCount == 1
            }
            try changes.record(.account(user))
            try changes.record(.directory)
            return LicenseRemoval(account: try Self.account(db, user), disabledMailbox: disabled)
        }
    }

    public func setPassword(of address: EmailAddress, hash: String, mustChange: Bool) async throws -> UserAccount {
        try await write { db, changes in
            let user = try Self.requireLiveUser(db, address)
            try db.execute(
                sql: """
                    UPDATE user SET password_hash = ?, must_change_password = ?, password_changed_at = ?,
                        password_notice_for = NULL WHERE id = ?
                    """, arguments: [hash, mustChange, changes.now, user.rawValue])
            try changes.record(.account(user))
            return try Self.account(db, user)
        }
    }

    public func deleteUser(_ address: EmailAddress) async throws -> UserAccount {
        try await write { db, changes in
            let user = try Self.requireLiveUser(db, address)
            let skus = try String.fetchAll(
                db.cachedStatement(sql: "SELECT sku FROM license_assignment WHERE user_id = ? ORDER BY sku"),
                arguments: [user.rawValue]
            )
            try db.execute(sql: "DELETE FROM license_assignment WHERE user_id = ?", arguments: [user.rawValue])
            try db.execute(
                sql: "UPDATE user SET deleted_at = ?, licenses_at_deletion = ? WHERE id = ?",
                arguments: [changes.now, skus.joined(separator: " "), user.rawValue])
            try db.execute(sql: "UPDATE address SET is_live = 0 WHERE user_id = ?", arguments: [user.rawValue])
            try db.execute(
                sql: "UPDATE mailbox SET disabled_at = ? WHERE user_id = ? AND disabled_at IS NULL",
                arguments: [changes.now, user.rawValue])
            try changes.record(.account(user))
            try changes.record(.directory)
            return try Self.account(db, user)
        }
    }

    public func restoreUser(_ address: EmailAddress, as newAddress: EmailAddress?) async throws -> RestoreReport {
        let horizon = now - RetentionWindows.restore
        return try await write { db, changes in
            guard
                let user = try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT u.id FROM user u JOIN address a ON a.user_id = u.id
                        WHERE a.address = ? AND a.is_primary = 1 AND u.deleted_at IS NOT NULL
                        ORDER BY u.deleted_at DESC LIMIT 1
                        """, arguments: [address.description]
                ).map(UserID.init)
            else { throw StoreRefusal.deletedUserUnknown(address.description) }
            let account = try Self.account(db, user)
            guard let deletedAt = account.deletedAt, deletedAt.timeIntervalSince1970 >= horizon else {
                throw StoreRefusal.restoreWindowPassed(address.description)
            }
            let primary = newAddress ?? address
            try Self.requireAcceptedDomain(db, primary)
            if try Self.liveUserID(db, primary) != nil {
                throw newAddress == nil
                    ? StoreRefusal.restoreAddressTaken(primary.description)
                    : StoreRefusal.addressTaken(primary.description)
            }
            var dropped: [EmailAddress] = []
            let oldAddresses = [account.email] + account.aliases
            try db.execute(sql: "UPDATE address SET is_primary = 0 WHERE user_id = ?", arguments: [user.rawValue])
            for old in oldAddresses where old != primary {
                if try Self.liveUserID(db, old) != nil {
                    // Administrator's guide, "Delete or restore users": an alias someone else
                    // holds now is dropped from the restored user.
                    try db.execute(
                        sql: "DELETE FROM address WHERE user_id = ? AND address = ?",
                        arguments: [user.rawValue, old.description])
                    dropped.append(old)
                } else {
                    try db.execute(
                        sql: "UPDATE address SET is_live = 1 WHERE user_id = ? AND address = ?",
                        arguments: [user.rawValue, old.description])
                }
            }
            try db.execute(
                sql: "DELETE FROM address WHERE user_id = ? AND address = ?",
                arguments: [user.rawValue, primary.description])
            try Self.insertAddress(db, primary, user: user, primary: true)
            for sku in account.licensesAtDeletion {
                try Self.assign(db, sku: sku, to: user, email: primary, now: changes.now)
            }
            try db.execute(
                sql: "UPDATE user SET deleted_at = NULL, licenses_at_deletion = '' WHERE id = ?",
                arguments: [user.rawValue])
            if !account.licensesAtDeletion.isEmpty {
                try Self.openMailbox(db, for: user, now: changes.now, changes: changes)
            }
            try changes.record(.account(user))
            try changes.record(.directory)
            return RestoreReport(account: try Self.account(db, user), droppedAliases: dropped)
        }
    }

    public func addAlias(_ alias: EmailAddress, to address: EmailAddress) async throws -> UserAccount {
        try await write { db, changes in
            let user = try Self.requireLiveUser(db, address)
            try Self.requireAcceptedDomain(db, alias)
            try Self.requireFree(db, alias)
            try db.execute(
                sql: "DELETE FROM address WHERE user_id = ? AND address = ?",
                arguments: [user.rawValue, alias.description])
            try Self.insertAddress(db, alias, user: user, primary: false)
            try changes.record(.account(user))
            return try Self.account(db, user)
        }
    }

    public func removeAlias(_ alias: EmailAddress, from address: EmailAddress) async throws -> UserAccount {
        try await write { db, changes in
            let user = try Self.requireLiveUser(db, address)
            guard
                let isPrimary = try Bool.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT is_primary FROM address WHERE user_id = ? AND address = ? AND is_live = 1"),
                    arguments: [user.rawValue, alias.description])
            else { throw StoreRefusal.aliasUnknown(user: address.description, alias: alias.description) }
            guard !isPrimary else { throw StoreRefusal.aliasIsPrimary(alias.description) }
            try db.execute(
                sql: "DELETE FROM address WHERE user_id = ? AND address = ?",
                arguments: [user.rawValue, alias.description])
            try changes.record(.account(user))
            return try Self.account(db, user)
        }
    }

    public func purgeExpired() async throws -> PurgeReport {
        let userHorizon = now - RetentionWindows.restore
        let mailboxHorizon = now - RetentionWindows.disabledMailbox
        return try await write { db, changes in
            let expired = try Row.fetchAll(
                db,
                sql: """
                    SELECT u.id, a.address FROM user u JOIN address a ON a.user_id = u.id AND a.is_primary = 1
                    WHERE u.deleted_at IS NOT NULL AND u.deleted_at < ?
                    """, arguments: [userHorizon])
            for row in expired {
                try db.execute(sql: "DELETE FROM user WHERE id = ?", arguments: [row["id"] as Int64])
                try changes.record(.account(UserID(row["id"])))
            }
            let mailboxes = try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT id, user_id FROM mailbox WHERE disabled_at IS NOT NULL AND disabled_at < ?"),
                arguments: [mailboxHorizon])
            for row in mailboxes {
                try db.execute(sql: "DELETE FROM mailbox WHERE id = ?", arguments: [row["id"] as Int64])
                try changes.record(.account(UserID(row["user_id"])))
            }
            if !expired.isEmpty { try changes.record(.directory) }
            return PurgeReport(
                purgedUsers: expired.compactMap { EmailAddress($0["address"] as String) },
                purgedMailboxes: mailboxes.count)
        }
    }

    public func credentials(for login: EmailAddress) async throws -> StoredCredentials? {
        try await read { db in
            let live = try Self.liveUserID(db, login)
            let user =
                try live
                ?? Int64.fetchOne(
                    db,
                    sql: """
                        SELECT u.id FROM user u JOIN address a ON a.user_id = u.id
                        WHERE a.address = ? AND a.is_primary = 1 AND u.deleted_at IS NOT NULL
                        ORDER BY u.deleted_at DESC LIMIT 1
                        """, arguments: [login.description]
                ).map(UserID.init)
            guard let user,
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM user WHERE id = ?"), arguments: [user.rawValue])
            else { return nil }
            return StoredCredentials(
                userID: user, email: try Self.primaryAddress(db, user), passwordHash: row["password_hash"],
                mustChangePassword: row["must_change_password"],
                passwordChangedAt: (row["password_changed_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                isSignInBlocked: row["sign_in_blocked"], isDeleted: row["deleted_at"] as Double? != nil,
                mailbox: try Self.mailboxState(db, user), isActiveSyncEnabled: row["activesync_enabled"])
        }
    }
}
