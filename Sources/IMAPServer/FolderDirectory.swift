import MailStore

/// Maps a mailbox's folders to IMAP names: the Inbox-role folder is `INBOX` whatever it is
/// called (RFC 3501 5.1: case-insensitive), its children `INBOX/...`.
struct FolderDirectory: Sendable {
    let folders: [FolderInfo]
    private let inboxName: String?

    init(_ folders: [FolderInfo]) {
        self.folders = folders
        inboxName = folders.first { $0.role == .inbox }?.name
    }

    /// The IMAP name of a folder.
    func imapName(_ folder: FolderInfo) -> String {
        guard let inboxName else { return folder.name }
        if folder.name == inboxName { return "INBOX" }
        if folder.name.hasPrefix(inboxName + "/") { return "INBOX" + folder.name.dropFirst(inboxName.count) }
        return folder.name
    }

    /// The store name for an IMAP name (`INBOX` in any case maps to the Inbox folder).
    func storeName(_ name: String) -> String {
        let trimmed = name.hasSuffix("/") && name.count > 1 ? String(name.dropLast()) : name
        guard let inboxName else { return trimmed }
        if trimmed.uppercased() == "INBOX" { return inboxName }
        if trimmed.uppercased().hasPrefix("INBOX/") { return inboxName + trimmed.dropFirst(5) }
        return trimmed
    }

    func folder(named name: String) -> FolderInfo? {
        let wanted = storeName(name)
        return folders.first { $0.name == wanted } ?? folders.first { $0.name.lowercased() == wanted.lowercased() }
    }

    func hasChildren(_ folder: FolderInfo) -> Bool {
        folders.contains { $0.name.hasPrefix(folder.name + "/") }
    }

    /// RFC 3501 6.3.8: `*` matches anything, `%` anything but the delimiter; INBOX case-insensitively.
    static func matches(_ name: String, pattern: String) -> Bool {
        var name = Array(name.unicodeScalars)
        var pattern = Array(pattern.unicodeScalars)
        if name.count >= 5, String(String.UnicodeScalarView(name[0..<5])).uppercased() == "INBOX",
            name.count == 5 || name[5] == "/",
            pattern.count >= 5, String(String.UnicodeScalarView(pattern[0..<5])).uppercased() == "INBOX"
        {
            name.replaceSubrange(0..<5, with: "INBOX".unicodeScalars)
            pattern.replaceSubrange(0..<5, with: "INBOX".unicodeScalars)
        }
        // Iterative wildcard matching with backtracking to the last star (linear memory, bounded time).
        var n = 0
        var p = 0
        var star: (p: Int, n: Int)?
        var percent: (p: Int, n: Int)?
        while n < name.count {
            if p < pattern.count, pattern[p] == "*" {
                star = (p, n)
                percent = nil
                p += 1
            } else if p < pattern.count, pattern[p] == "%" {
                percent = (p, n)
                p += 1
            } else if p < pattern.count, pattern[p] == name[n] {
                p += 1
                n += 1
            } else if let last = percent, name[last.n] != "/" {
                percent = (last.p, last.n + 1)
                p = last.p + 1
                n = last.n + 1
            } else if let last = star {
                percent = nil
                star = (last.p, last.n + 1)
                p = last.p + 1
                n = last.n + 1
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" || pattern[p] == "%" { p += 1 }
        return p == pattern.count
    }
}
