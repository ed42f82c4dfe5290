public import MailStore

/// A calendar date as SEARCH and APPEND write it (`1-Feb-1994`), compared without time or zone.
public struct IMAPDay: Sendable, Equatable, Comparable {
    public var year: Int
    public var month: Int
    public var day: Int
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }
    public static func < (lhs: IMAPDay, rhs: IMAPDay) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

/// A SEARCH key (RFC 3501 6.4.4, RFC 7162 MODSEQ).
public indirect enum IMAPSearchKey: Sendable, Equatable {
    case all
    case and([IMAPSearchKey])
    case or(IMAPSearchKey, IMAPSearchKey)
    case not(IMAPSearchKey)
    case sequence(IMAPSequenceSet)
    case uid(IMAPSequenceSet)
    /// A system flag (with backslash, as `\Seen`) or keyword that must be set / not set.
    case flag(String, set: Bool)
    case new, old, recent
    case before(IMAPDay), on(IMAPDay), since(IMAPDay)
    case sentBefore(IMAPDay), sentOn(IMAPDay), sentSince(IMAPDay)
    case larger(Int), smaller(Int)
    /// A header field containing the text (case-insensitive); empty text: the field exists.
    case header(String, String)
    case body(String)
    case text(String)
    case modSeq(ModSeq)
}
