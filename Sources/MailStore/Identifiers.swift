/// A user's permanent number: stays the same through renames, deletion and restore.
public struct UserID: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
}

/// A mailbox: the set of folders of one user, kept 30 days after the last license goes.
public struct MailboxID: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
}

/// A folder of a mailbox. Never reused: a folder deleted and created again gets a new ID
/// and a new UIDVALIDITY.
public struct FolderID: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
}

/// The stored bytes of one message, shared by every copy of it (one SMTP delivery to three
/// local recipients stores the bytes once).
public struct ContentID: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
}

/// A message's IMAP UID within its folder (RFC 3501 2.3.1.1): 32-bit, strictly ascending.
public typealias MessageUID = UInt32

/// A modification sequence (RFC 7162 3.1.1): 63-bit, strictly ascending per folder.
public typealias ModSeq = Int64
