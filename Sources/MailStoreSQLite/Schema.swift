import GRDB

/// The store's schema. Shipped migrations are never edited: a change is a new migration.
///
/// Invariants live here, not in Swift, so they hold when `serve` and the command line write
/// the same file at once: a license count can never be exceeded (CHECK on `sku`, maintained
/// by triggers), an address belongs to one live user (partial UNIQUE index), each mailbox has
/// one folder per role, and folder and mailbox counters follow every message insert and delete.
/// IDs are AUTOINCREMENT: a purged mailbox's or deleted folder's ID is never given to another,
/// so a session or a device that still holds one can never see someone else's mail.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: directory, mailboxes, messages, change log") { db in
            try db.execute(sql: version1)
        }
        migrator.registerMigration("v2: content structure") { db in
            try db.execute(sql: version2)
        }
        migrator.registerMigration("v3: content wire forms") { db in
            try db.execute(sql: version3)
        }
        return migrator
    }

    private static let version1 = """
        CREATE TABLE organisation (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            settings TEXT NOT NULL,
            last_uid_validity INTEGER NOT NULL
        );

        CREATE TABLE domain (
            name TEXT PRIMARY KEY NOT NULL CHECK (name = lower(name)),
            added_at REAL NOT NULL,
            verification_token TEXT NOT NULL,
            verified_at REAL,
            verification_passed INTEGER,
            verification_summary TEXT
        );

        CREATE TABLE sku (
            name TEXT PRIMARY KEY NOT NULL,
            total INTEGER NOT NULL CHECK (total >= 0),
            assigned INTEGER NOT NULL DEFAULT 0 CHECK (assigned >= 0 AND assigned <= total)
        );

        CREATE TABLE user (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            first_name TEXT, last_name TEXT, display_name TEXT NOT NULL, job_title TEXT, department TEXT,
            office_number TEXT, office_phone TEXT, mobile_phone TEXT, fax TEXT, address TEXT, city TEXT,
            state_or_province TEXT, postal_code TEXT, country_or_region TEXT,
            password_hash TEXT NOT NULL,
            must_change_password INTEGER NOT NULL,
            password_changed_at REAL,
            password_notice_for REAL,
            sign_in_blocked INTEGER NOT NULL DEFAULT 0,
            activesync_enabled INTEGER NOT NULL DEFAULT 1,
            created_at REAL NOT NULL,
            deleted_at REAL,
            licenses_at_deletion TEXT NOT NULL DEFAULT ''
        );

        -- Every address of every user, the primary one included. Deleted users keep theirs with
        -- is_live = 0, so the address can be reused and restore can tell what was taken.
        CREATE TABLE address (
            address TEXT NOT NULL CHECK (address = lower(address)),
            domain TEXT NOT NULL,
            user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            is_primary INTEGER NOT NULL,
            is_live INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (user_id, address)
        );
        CREATE UNIQUE INDEX address_live ON address(address) WHERE is_live = 1;
        CREATE UNIQUE INDEX address_primary ON address(user_id) WHERE is_primary = 1;
        CREATE INDEX address_lookup ON address(address);
        CREATE INDEX address_domain ON address(domain) WHERE is_live = 1;

        CREATE TABLE license_assignment (
            user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
            sku TEXT NOT NULL REFERENCES sku(name),
            assigned_at REAL NOT NULL,
            PRIMARY KEY (user_id, sku)
        );
        CREATE INDEX license_assignment_sku ON license_assignment(sku);
        -- The CHECK on sku.assigned makes the last license go to exactly one of two racing writers.
        CREATE TRIGGER license_assigned AFTER INSERT ON license_assignment BEGIN
            UPDATE sku SET assigned = assigned + 1 WHERE name = NEW.sku;
        END;
        CREATE TRIGGER license_unassigned AFTER DELETE ON license_assignment BEGIN
            UPDATE sku SET assigned = assigned - 1 WHERE name = OLD.sku;
        END;

        CREATE TABLE mailbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id INTEGER NOT NULL UNIQUE REFERENCES user(id) ON DELETE CASCADE,
            created_at REAL NOT NULL,
            disabled_at REAL,
            quota_bytes INTEGER,
            used_bytes INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE folder (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            mailbox_id INTEGER NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            role TEXT CHECK (role IN ('inbox', 'drafts', 'sent', 'deleted', 'junk', 'outbox')),
            uid_validity INTEGER NOT NULL,
            uid_next INTEGER NOT NULL DEFAULT 1 CHECK (uid_next BETWEEN 1 AND 4294967295),
            highest_modseq INTEGER NOT NULL DEFAULT 1,
            subscribed INTEGER NOT NULL DEFAULT 1,
            message_count INTEGER NOT NULL DEFAULT 0,
            unseen_count INTEGER NOT NULL DEFAULT 0,
            UNIQUE (mailbox_id, name)
        );
        CREATE UNIQUE INDEX folder_role ON folder(mailbox_id, role) WHERE role IS NOT NULL;

        -- Message bytes, stored once however many folders hold the message.
        CREATE TABLE content (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            size INTEGER NOT NULL,
            bytes BLOB NOT NULL
        );

        CREATE TABLE message (
            folder_id INTEGER NOT NULL REFERENCES folder(id) ON DELETE CASCADE,
            uid INTEGER NOT NULL,
            content_id INTEGER NOT NULL REFERENCES content(id),
            flags INTEGER NOT NULL DEFAULT 0,
            keywords TEXT NOT NULL DEFAULT '',
            internal_date REAL NOT NULL,
            size INTEGER NOT NULL,
            modseq INTEGER NOT NULL,
            PRIMARY KEY (folder_id, uid)
        ) WITHOUT ROWID;
        CREATE INDEX message_content ON message(content_id);
        CREATE INDEX message_modseq ON message(folder_id, modseq);

        CREATE TRIGGER message_added AFTER INSERT ON message BEGIN
            UPDATE folder SET message_count = message_count + 1,
                unseen_count = unseen_count + (1 - (NEW.flags & 1))
                WHERE id = NEW.folder_id;
            UPDATE mailbox SET used_bytes = used_bytes + NEW.size
                WHERE id = (SELECT mailbox_id FROM folder WHERE id = NEW.folder_id);
        END;
        CREATE TRIGGER message_removed AFTER DELETE ON message BEGIN
            UPDATE folder SET message_count = message_count - 1,
                unseen_count = unseen_count - (1 - (OLD.flags & 1))
                WHERE id = OLD.folder_id;
            UPDATE mailbox SET used_bytes = used_bytes - OLD.size
                WHERE id = (SELECT mailbox_id FROM folder WHERE id = OLD.folder_id);
            DELETE FROM content WHERE id = OLD.content_id
                AND NOT EXISTS (SELECT 1 FROM message WHERE content_id = OLD.content_id);
        END;
        CREATE TRIGGER message_seen_changed AFTER UPDATE OF flags ON message
            WHEN (OLD.flags & 1) != (NEW.flags & 1) BEGIN
            UPDATE folder SET unseen_count = unseen_count + (OLD.flags & 1) - (NEW.flags & 1)
                WHERE id = NEW.folder_id;
        END;

        -- Removed UIDs with the modseq of their removal (RFC 7162 QRESYNC, ActiveSync deletes).
        CREATE TABLE expunged (
            folder_id INTEGER NOT NULL REFERENCES folder(id) ON DELETE CASCADE,
            uid INTEGER NOT NULL,
            modseq INTEGER NOT NULL,
            PRIMARY KEY (folder_id, uid)
        ) WITHOUT ROWID;

        -- What changed, for processes that share this file: each polls for rows of other origins.
        CREATE TABLE change_log (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            origin TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('folder', 'folder_list', 'account', 'settings', 'directory')),
            mailbox_id INTEGER,
            folder_id INTEGER,
            user_id INTEGER,
            at REAL NOT NULL
        );
        """

    /// ENVELOPE and BODYSTRUCTURE per content, written with the content. A table of its own:
    /// a column after `content.bytes` could only be read by walking the blob's overflow pages.
    /// Contents stored before v2 have no row; readers compute those from the bytes.
    private static let version2 = """
        CREATE TABLE content_structure (
            content_id INTEGER PRIMARY KEY REFERENCES content(id) ON DELETE CASCADE,
            envelope BLOB NOT NULL,
            body_structure BLOB NOT NULL
        );
        -- Sessions read what was removed after the mod-sequence they know (RFC 7162, IMAP refresh).
        CREATE INDEX expunged_modseq ON expunged(folder_id, modseq);
        """

    /// The wire form of a content (MailStore's `WireForm`), worked out by POP3 from the bytes and
    /// kept once its sessions are over, so that sign-ins after a restart read no message bytes.
    /// `dot_lines` holds the offsets as 8-byte little-endian integers; `canonical` is 0 when the
    /// message is not in wire form (or has too many dot lines to list) and is scanned instead.
    /// Not written at delivery: that would put work on every message's hot path for a form that
    /// only POP3 reads.
    private static let version3 = """
        CREATE TABLE content_wire (
            content_id INTEGER PRIMARY KEY REFERENCES content(id) ON DELETE CASCADE,
            size INTEGER NOT NULL,
            canonical INTEGER NOT NULL,
            dot_lines BLOB
        );
        """
}
