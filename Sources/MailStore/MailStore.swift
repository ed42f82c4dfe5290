public import Foundation

/// The organisation's store: directory (domains, licenses, users), settings, and mail.
///
/// Protocols and the command line use only this interface; `MailStoreSQLite` implements it
/// over one SQLite file, and a PostgreSQL implementation for several gateways is an added
/// conformance, not a rewrite. Every method is `async` and runs on the store's own threads,
/// never on a NIO event loop. Refusals throw ``StoreRefusal``; anything else thrown is an
/// internal failure (disk, corruption).
///
/// Writes that other sessions must notice publish on ``changeFeed``, including writes made by
/// another process on the same store (seen within about a second).
public protocol MailStore: Sendable {
    /// Changes made through this store or, within about a second, by other processes.
    var changeFeed: ChangeFeed { get }

    // MARK: Domains

    /// Adds a domain: mail for its users is accepted at once. Refused if already added.
    func addDomain(_ name: String) async throws -> DomainInfo
    /// Removes a domain; refused while a live user or alias uses it.
    func removeDomain(_ name: String) async throws
    func domains() async throws -> [DomainInfo]
    func domain(_ name: String) async throws -> DomainInfo?
    /// Keeps the result of a `domain verify` run for `domain list`.
    func recordVerification(_ verification: DomainVerification, for domain: String) async throws

    // MARK: Licenses

    /// Buys `count` more licenses of `sku` (creating the SKU).
    func addLicenses(sku: String, count: Int) async throws -> LicenseInfo
    /// Sets the total of an existing SKU; refused below the number assigned.
    func setLicenseTotal(sku: String, total: Int) async throws -> LicenseInfo
    func licenses() async throws -> [LicenseInfo]

    // MARK: Users

    /// Creates a user; with a license, the mailbox and its six folders are made at once.
    /// All-or-nothing: a license that has none left refuses the whole user.
    func createUser(_ user: NewUser) async throws -> UserAccount
    /// The live user holding `address` as primary address or alias.
    func user(_ address: EmailAddress) async throws -> UserAccount?
    func user(id: UserID) async throws -> UserAccount?
    /// Users for a listing, sorted by address.
    func users(_ filter: UserFilter) async throws -> [UserAccount]
    /// Replaces the profile fields after checking their lengths.
    func updateProfile(of address: EmailAddress, to profile: UserProfile) async throws -> UserAccount
    /// Gives the user a new primary address; the old one stays as an alias.
    func renameUser(_ address: EmailAddress, to newAddress: EmailAddress) async throws -> UserAccount
    func setSignInBlocked(_ address: EmailAddress, _ blocked: Bool) async throws -> UserAccount
    func setActiveSyncEnabled(_ address: EmailAddress, _ enabled: Bool) async throws -> UserAccount
    /// Assigns a license; the first one creates or reconnects the mailbox.
    func assignLicense(_ sku: String, to address: EmailAddress) async throws -> UserAccount
    /// Removes a license; removing the last one disables the mailbox.
    func removeLicense(_ sku: String, from address: EmailAddress) async throws -> LicenseRemoval
    /// Stores a new password hash (already checked against the rules and hashed).
    func setPassword(of address: EmailAddress, hash: String, mustChange: Bool) async throws -> UserAccount
    /// Soft-deletes: sign-in and delivery stop, licenses are freed, restorable for 30 days.
    func deleteUser(_ address: EmailAddress) async throws -> UserAccount
    /// Restores the most recently deleted user with that address, optionally under a new one.
    func restoreUser(_ address: EmailAddress, as newAddress: EmailAddress?) async throws -> RestoreReport
    func addAlias(_ alias: EmailAddress, to address: EmailAddress) async throws -> UserAccount
    func removeAlias(_ alias: EmailAddress, from address: EmailAddress) async throws -> UserAccount
    /// Purges users deleted and mailboxes disabled more than 30 days ago.
    func purgeExpired() async throws -> PurgeReport

    // MARK: Sign-in

    /// What the sign-in gate needs, for a live user by primary address or alias, or else the
    /// most recently deleted user with that primary address.
    func credentials(for login: EmailAddress) async throws -> StoredCredentials?

    // MARK: Settings

    func settings() async throws -> OrganisationSettings
    /// Applies `change` to the current settings in one transaction and returns the result.
    func updateSettings(_ change: @escaping @Sendable (inout OrganisationSettings) throws -> Void) async throws
        -> OrganisationSettings

    // MARK: Mail

    /// Where mail for `address` goes (SMTP RCPT).
    func resolveRecipient(_ address: EmailAddress) async throws -> RecipientResolution
    /// Stores one message once and files it in each mailbox's Inbox. Returns only when the
    /// message is durable; concurrent deliveries share one commit (group commit).
    /// The result has one entry per mailbox, in order: the UID, or why that mailbox refused.
    func deliver(_ message: IncomingMessage, to mailboxes: [MailboxID]) async throws
        -> [Result<MessageUID, StoreRefusal>]
    /// Delivers a password-expiry notice once per password: a second call for the same user and
    /// password change returns false and stores nothing.
    func deliverPasswordNotice(_ message: IncomingMessage, to user: UserID, passwordChangedAt: Date) async throws
        -> Bool
    func folders(of mailbox: MailboxID) async throws -> [FolderInfo]
    func folder(_ id: FolderID) async throws -> FolderInfo?
    func folder(named name: String, in mailbox: MailboxID) async throws -> FolderInfo?
    func createFolder(named name: String, in mailbox: MailboxID) async throws -> FolderInfo
    /// Renames a folder and its children (RFC 3501 6.3.5); a role folder keeps its role.
    func renameFolder(_ id: FolderID, to newName: String) async throws
    /// Deletes a folder without role, with its messages.
    func deleteFolder(_ id: FolderID) async throws
    func setSubscribed(_ id: FolderID, _ subscribed: Bool) async throws
    /// The folder's messages, ascending by UID, optionally only those in `uids`.
    func messages(in folder: FolderID, uids: ClosedRange<MessageUID>?) async throws -> [MessageSummary]
    /// The folder's messages as a ``FolderIndex`` (no dates, sizes or contents), read at once.
    func folderIndex(_ folder: FolderID) async throws -> FolderIndex
    /// The bytes of a stored message; nil if it has been removed meanwhile.
    func messageBytes(_ content: ContentID) async throws -> Data?
    /// The bytes of several stored messages in one read; removed ones are missing from the answer.
    func messageBytes(_ contents: [ContentID]) async throws -> [ContentID: Data]
    /// The wire forms kept for these contents (see ``WireForm``); those nobody kept yet, and
    /// removed ones, are missing from the answer.
    func wireForms(of contents: [ContentID]) async throws -> [ContentID: WireForm]
    /// Keeps wire forms worked out from contents' bytes; a removed content's form is dropped.
    func keepWireForms(_ forms: [ContentID: WireForm]) async throws
    /// The structure kept for each message of the folder in `uids` (see ``ContentStructure``);
    /// a message stored before structures were kept is missing from the answer.
    func structures(in folder: FolderID, uids: ClosedRange<MessageUID>) async throws -> ContentStructures
    /// IMAP APPEND (RFC 3501 6.3.11, RFC 4315 APPENDUID).
    func append(
        _ message: IncomingMessage, to folder: FolderID, flags: MessageFlags, keywords: [String]
    ) async throws -> UIDAssignment
    /// IMAP STORE and POP3/ActiveSync read marks; `unchangedSince` is RFC 7162's UNCHANGEDSINCE.
    func setFlags(
        in folder: FolderID, uids: [MessageUID], mode: FlagChangeMode, flags: MessageFlags, keywords: [String],
        unchangedSince: ModSeq?
    ) async throws -> FlagChangeResult
    /// IMAP COPY (RFC 4315 COPYUID). UIDs not in the folder are skipped.
    func copy(_ uids: [MessageUID], from source: FolderID, to destination: FolderID) async throws -> UIDAssignment
    /// IMAP MOVE (RFC 6851): copy and remove in one transaction.
    func move(_ uids: [MessageUID], from source: FolderID, to destination: FolderID) async throws -> UIDAssignment
    /// Removes the given messages, or with `onlyDeleted` only those flagged `\Deleted`
    /// (IMAP EXPUNGE / UID EXPUNGE). Returns the UIDs removed.
    func remove(_ uids: [MessageUID]?, from folder: FolderID, onlyDeleted: Bool) async throws -> [MessageUID]
    /// What changed after `modSeq` (CONDSTORE CHANGEDSINCE, QRESYNC VANISHED, ActiveSync).
    func changes(in folder: FolderID, since modSeq: ModSeq) async throws -> FolderChanges
}
