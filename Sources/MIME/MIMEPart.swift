// The parsed tree: byte ranges into the original message plus the decoded MIME header fields.

/// One entity of a message (RFC 2045 2.4): the message itself, a body part, or an encapsulated message.
///
/// All ranges index the bytes given to ``MIMEMessage``, so IMAP sections are sliced, never rebuilt.
public struct MIMEPart: Sendable, Hashable {
    /// What the body holds.
    public indirect enum Content: Sendable, Hashable {
        /// A leaf: the body is opaque bytes in its transfer encoding.
        case single
        /// `multipart/*` (RFC 2046 5.1): the body parts between the delimiters, at least one.
        case multipart([MIMEPart])
        /// `message/rfc822` or `message/global` (RFC 2046 5.2.1): the encapsulated message, parsed.
        case message(MIMEPart)
    }

    /// The whole entity: MIME header and body.
    public var range: Range<Int>
    /// The header including the blank separator line when present (IMAP `HEADER` / `MIME`).
    public var headerRange: Range<Int>
    /// The body (IMAP `TEXT`, or the part's own section); for a part of a multipart it excludes the line break
    /// in front of the next delimiter, which RFC 2046 5.1.1 makes part of the delimiter.
    public var bodyRange: Range<Int>
    /// The header fields.
    public var header: MIMEHeader
    /// The effective content type, after the RFC 2045 5.2 / RFC 2046 5.1.5 defaults.
    public var contentType: MIMEContentType
    /// Whether the type came from a valid Content-Type field (false: a default was applied).
    public var hasExplicitContentType: Bool
    /// The body's structure.
    public var content: Content
    /// Lines in the body (LF count, plus one for a last line without a break), as BODYSTRUCTURE reports.
    public var bodyLineCount: Int

    /// Content-Transfer-Encoding, lower-cased; `7bit` when absent (RFC 2045 6.1).
    public var transferEncoding: String {
        guard let field = header.first("Content-Transfer-Encoding") else { return "7bit" }
        let value = MIMEParameters.parse(field.unfoldedBytes).value
        return value.isEmpty ? "7bit" : headerText(value.asciiLowercased)
    }

    /// Content-ID (RFC 2045 7), unfolded and trimmed, or nil.
    public var contentID: String? { header.first("Content-ID")?.unfoldedValue }
    /// Content-Description (RFC 2045 8), unfolded, encoded words kept, or nil.
    public var contentDescription: String? { header.first("Content-Description")?.unfoldedValue }
    /// Content-MD5 (RFC 1864), or nil.
    public var contentMD5: String? { header.first("Content-MD5")?.unfoldedValue }
    /// Content-Location (RFC 2557 4.2), folding whitespace removed, or nil.
    public var contentLocation: String? { header.first("Content-Location")?.unfoldedValue }

    /// Content-Language (RFC 3282) tags, split on commas; empty when absent.
    public var contentLanguages: [String] {
        guard let field = header.first("Content-Language") else { return [] }
        return field.unfoldedBytes.split(separator: UInt8(ascii: ","))
            .map { headerText(ArraySlice($0).trimmed) }.filter { !$0.isEmpty }
    }

    /// Content-Disposition (RFC 2183), or nil when absent or empty.
    public var contentDisposition: MIMEContentDisposition? {
        header.first("Content-Disposition").flatMap { MIMEContentDisposition.parse($0.unfoldedBytes) }
    }

    /// The attachment's file name: Content-Disposition `filename`, else Content-Type `name` (RFC 2183 2.3,
    /// RFC 2231 decoded).
    public var filename: String? { contentDisposition?.parameter("filename") ?? contentType.parameter("name") }

    /// The children of a multipart, or an empty array.
    public var children: [MIMEPart] {
        if case .multipart(let parts) = content { return parts }
        return []
    }

    /// The encapsulated message of a `message/rfc822` part, or nil.
    public var encapsulatedMessage: MIMEPart? {
        if case .message(let message) = content { return message }
        return nil
    }
}
