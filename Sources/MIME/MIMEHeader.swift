// RFC 5322 2.2 header fields: name, raw value with folding kept, and the byte range they came from.

/// One header field as it appears in the message (RFC 5322 2.2).
public struct MIMEHeaderField: Sendable, Hashable {
    /// The field name as written (case kept); compare with ``hasName(_:)``.
    public var name: String
    /// The bytes after the colon up to (not including) the final line break; folding CRLFs are kept.
    public var rawValue: ArraySlice<UInt8>
    /// The whole field in the original bytes: name, colon, value and its final line break.
    public var range: Range<Int>

    /// The value with folding line breaks removed (RFC 5322 2.2.3), as bytes, without the whitespace after the
    /// colon; trailing whitespace is kept, as written.
    public var unfoldedBytes: [UInt8] { Array(unfold(rawValue).drop(while: ASCII.isWhitespace)) }

    /// The unfolded value as text: UTF-8 when valid, ISO-8859-1 otherwise; RFC 2047 words are left encoded.
    public var unfoldedValue: String { headerText(unfoldedBytes) }

    /// The unfolded value with RFC 2047 encoded words decoded, for display.
    public var decodedValue: String { EncodedWords.decode(unfoldedBytes) }

    /// Whether the field is called `other`, compared case-insensitively (RFC 5322 1.2.2).
    public func hasName(_ other: String) -> Bool { name.utf8.equalsIgnoringCase(other.utf8) }
}

/// The header of a message or body part: its fields in order.
public struct MIMEHeader: Sendable, Hashable {
    /// The fields in message order; duplicates are kept.
    public var fields: [MIMEHeaderField]

    /// Creates a header from its fields.
    public init(fields: [MIMEHeaderField]) { self.fields = fields }

    /// The first field called `name` (case-insensitive), or nil.
    public func first(_ name: String) -> MIMEHeaderField? { fields.first { $0.hasName(name) } }

    /// Every field called `name` (case-insensitive), in order.
    public func all(_ name: String) -> [MIMEHeaderField] { fields.filter { $0.hasName(name) } }
}

/// Where a header ends, as found by ``MIMEHeaderParser``.
struct ParsedHeader {
    var header: MIMEHeader
    /// Index just past the header, including the blank separator line when there is one.
    var bodyStart: Int
}

/// Splits an entity into header fields and body (RFC 5322 2.1, RFC 2045 3), leniently.
enum MIMEHeaderParser {
    /// Parses the header at the start of `range`.
    ///
    /// - A blank line (CRLF or bare LF) ends the header and belongs to it.
    /// - A line that is neither a field nor a continuation ends the header without a separator: the body starts
    ///   there (as Python's `email` package does), so a message with no header at all is all body.
    /// - A continuation line before any field, and an mbox `From ` line first, are skipped.
    static func parse(_ bytes: [UInt8], in range: Range<Int>, maxFields: Int) -> ParsedHeader {
        var fields: [MIMEHeaderField] = []
        var position = range.lowerBound
        var pending: (start: Int, name: Range<Int>, valueStart: Int, lastLine: Line)?

        func finish() {
            guard let field = pending else { return }
            pending = nil
            guard fields.count < maxFields else { return }
            let value =
                field.valueStart <= field.lastLine.contentEnd
                ? bytes[field.valueStart..<field.lastLine.contentEnd] : bytes[field.valueStart..<field.valueStart]
            fields.append(
                MIMEHeaderField(
                    name: headerText(bytes[field.name]), rawValue: value,
                    range: field.start..<field.lastLine.end))
        }

        while position < range.upperBound {
            let line = bytes.line(at: position, limit: range.upperBound)
            if line.isEmpty {
                finish()
                return ParsedHeader(header: MIMEHeader(fields: fields), bodyStart: line.end)
            }
            let first = bytes[line.start]
            if ASCII.isWhitespace(first) {
                // RFC 5322 2.2.3: a line starting with WSP continues the field before it.
                if pending != nil { pending?.lastLine = line }
                position = line.end
                continue
            }
            if let name = fieldName(bytes, line) {
                finish()
                pending = (line.start, name.name, name.valueStart, line)
                position = line.end
                continue
            }
            if position == range.lowerBound, startsWithFrom(bytes, line) {
                position = line.end
                continue
            }
            finish()
            return ParsedHeader(header: MIMEHeader(fields: fields), bodyStart: line.start)
        }
        finish()
        return ParsedHeader(header: MIMEHeader(fields: fields), bodyStart: range.upperBound)
    }

    /// RFC 5322 3.6.8 field name (printable ASCII but colon), with obsolete WSP before the colon (4.5.8).
    private static func fieldName(_ bytes: [UInt8], _ line: Line) -> (name: Range<Int>, valueStart: Int)? {
        var index = line.start
        while index < line.contentEnd, (33...126).contains(bytes[index]), bytes[index] != ASCII.colon { index += 1 }
        let nameEnd = index
        guard nameEnd > line.start else { return nil }
        while index < line.contentEnd, ASCII.isWhitespace(bytes[index]) { index += 1 }
        guard index < line.contentEnd, bytes[index] == ASCII.colon else { return nil }
        return (line.start..<nameEnd, index + 1)
    }

    private static func startsWithFrom(_ bytes: [UInt8], _ line: Line) -> Bool {
        let prefix: [UInt8] = Array("From ".utf8)
        guard line.contentEnd - line.start >= prefix.count else { return false }
        return bytes[line.start..<line.start + prefix.count].elementsEqual(prefix)
    }
}
