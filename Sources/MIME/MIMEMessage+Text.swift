// Text of a part for display and search (ActiveSync bodies, IMAP SEARCH BODY/TEXT).

extension MIMEMessage {
    /// A text part's content as a string: transfer encoding removed (RFC 2045 6), then decoded with its
    /// `charset` parameter (RFC 2046 4.1.2; us-ascii by default).
    ///
    /// Lenient: an unknown transfer encoding yields the raw body; an unknown charset or invalid bytes fall back
    /// to UTF-8 when valid, else ISO-8859-1, so no byte is lost. Nil for multipart and message parts.
    public func decodedText(of part: MIMEPart) -> String? {
        guard case .single = part.content else { return nil }
        let body = (try? decodedBody(of: part)) ?? bytes[part.bodyRange]
        let charset = part.contentType.parameter("charset") ?? "us-ascii"
        return Charsets.decode(Array(body), charset: charset) ?? headerText(body)
    }
}
