/// A domain name as DNS labels (RFC 1035 3.1), compared case-insensitively for ASCII letters.
///
/// Labels are raw bytes: nothing is escaped or IDNA-converted, so a name SPF builds from macros
/// (which may contain spaces or `%`) is queried exactly as built. Each label is 1...63 bytes and the
/// wire form at most 255 bytes; the initializers refuse anything else.
public struct DNSName: Hashable, Sendable, CustomStringConvertible {
    /// Maximum label length (RFC 1035 2.3.4).
    public static let maximumLabelLength = 63
    /// Maximum length of the wire form including the root label (RFC 1035 2.3.4).
    public static let maximumWireLength = 255

    /// The labels, leftmost first, without the empty root label.
    public let labels: [[UInt8]]

    /// The root name.
    public static let root = DNSName(uncheckedLabels: [])

    init(uncheckedLabels: [[UInt8]]) {
        self.labels = uncheckedLabels
    }

    /// Builds a name from labels; `nil` when a label is empty or too long, or the name too long.
    public init?(labels: [[UInt8]]) {
        var wireLength = 1
        for label in labels {
            guard !label.isEmpty, label.count <= Self.maximumLabelLength else { return nil }
            wireLength += label.count + 1
        }
        guard wireLength <= Self.maximumWireLength else { return nil }
        self.labels = labels
    }

    /// Splits dotted text on every `.` (no escapes); one trailing dot is allowed.
    ///
    /// Returns `nil` for an empty label (`a..b`, a leading dot), a label over 63 bytes or a name over
    /// 255 bytes in wire form. `"."` and `""` are the root.
    public init?(_ text: some StringProtocol) {
        var bytes = Array(text.utf8)
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        if bytes.isEmpty {
            self = .root
            return
        }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map(Array.init)
        self.init(labels: labels)
    }

    /// The name as dotted text without a trailing dot; `"."` for the root. Bytes that are not UTF-8 are replaced.
    public var description: String {
        guard !labels.isEmpty else { return "." }
        return labels.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".")
    }

    /// Whether `self` equals `other` or lies below it (case-insensitively).
    public func isSubdomain(of other: DNSName) -> Bool {
        guard labels.count >= other.labels.count else { return false }
        return zip(labels.suffix(other.labels.count), other.labels).allSatisfy { Self.labelsEqual($0, $1) }
    }

    /// Wire length including length bytes and the root label.
    var wireLength: Int { labels.reduce(1) { $0 + $1.count + 1 } }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) ? byte | 0x20 : byte
    }

    static func labelsEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { lowercased($0) == lowercased($1) }
    }

    public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
        lhs.labels.count == rhs.labels.count && zip(lhs.labels, rhs.labels).allSatisfy { labelsEqual($0, $1) }
    }

    public func hash(into hasher: inout Hasher) {
        for label in labels {
            hasher.combine(label.count)
            for byte in label { hasher.combine(Self.lowercased(byte)) }
        }
    }
}
