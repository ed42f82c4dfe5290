/// One FETCH data item (RFC 3501 6.4.5, RFC 3516 BINARY, RFC 7162 MODSEQ).
public enum IMAPFetchItem: Sendable, Equatable {
    case flags, uid, internalDate, rfc822Size, rfc822, rfc822Header, rfc822Text, envelope, bodyStructure, modSeq
    /// `BODY` without brackets: the non-extensible body structure.
    case body
    /// `BODY[section]<partial>` / `BODY.PEEK[...]`; `section` is the text inside the brackets, upper-cased.
    case section(String, partial: IMAPPartial?, peek: Bool)
    /// `BINARY[part]<partial>` / `BINARY.PEEK[...]`.
    case binary([Int], partial: IMAPPartial?, peek: Bool)
    /// `BINARY.SIZE[part]`.
    case binarySize([Int])

    /// The RFC 3501 6.4.5 macros.
    static let all: [IMAPFetchItem] = [.flags, .internalDate, .rfc822Size, .envelope]
    static let fast: [IMAPFetchItem] = [.flags, .internalDate, .rfc822Size]
    static let full: [IMAPFetchItem] = [.flags, .internalDate, .rfc822Size, .envelope, .body]

    /// Whether fetching sets `\Seen` (RFC 3501 6.4.5: BODY[...], RFC822, RFC822.TEXT; not PEEK).
    var setsSeen: Bool {
        switch self {
        case .rfc822, .rfc822Text: true
        case .section(_, _, let peek), .binary(_, _, let peek): !peek
        default: false
        }
    }

    /// Whether the item needs the message's bytes.
    var needsBytes: Bool {
        switch self {
        case .flags, .uid, .internalDate, .rfc822Size, .modSeq: false
        default: true
        }
    }
}

/// A `<origin.length>` partial (RFC 3501 6.4.5).
public struct IMAPPartial: Sendable, Equatable {
    public var origin: Int
    public var length: Int
    public init(origin: Int, length: Int) {
        self.origin = origin
        self.length = length
    }
}
