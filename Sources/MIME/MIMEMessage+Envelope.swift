// RFC 3501 7.4.2 ENVELOPE.

extension MIMEMessage {
    /// The IMAP ENVELOPE of the message, e.g. `("date" "subject" ((...)) ... "<id@host>")`.
    ///
    /// RFC 3501 7.4.2: date, subject, in-reply-to and message-id are the unfolded field values (encoded words
    /// left for the client), trimmed, NIL when the field is absent; address lists are parenthesised address
    /// structures, NIL when absent or empty; sender and reply-to default to from. 8-bit header bytes pass
    /// through unchanged: quoted in rev2 when valid UTF-8, a literal otherwise.
    public func envelope(_ revision: IMAPRevision = .rev1) -> [UInt8] {
        var writer = IMAPWriter(revision: revision)
        Self.writeEnvelope(of: root.header, into: &writer)
        return writer.bytes
    }

    /// The ENVELOPE from the header alone, without parsing the body: for `FETCH ENVELOPE` over many messages.
    ///
    /// `bytes` may be the whole message or just its header; the result equals ``envelope(_:)``'s.
    public static func envelope(headerOf bytes: [UInt8], revision: IMAPRevision = .rev1) -> [UInt8] {
        let parsed = MIMEHeaderParser.parse(
            bytes, in: 0..<bytes.count, maxFields: MIMELimits.default.maximumHeaderFields)
        var writer = IMAPWriter(revision: revision)
        writeEnvelope(of: parsed.header, into: &writer)
        return writer.bytes
    }

    static func writeEnvelope(of header: MIMEHeader, into writer: inout IMAPWriter) {
        func text(_ name: String) -> [UInt8]? { header.first(name)?.unfoldedBytes }
        func addresses(_ name: String) -> [MIMEAddress] {
            // All fields of that name count: some mailers split To over several lines.
            header.all(name).flatMap { MIMEAddressParser.parse($0.unfoldedBytes) }
        }
        writer.raw("(")
        writer.nilOrString(text("Date"))
        writer.raw(" ")
        writer.nilOrString(text("Subject"))
        let from = addresses("From")
        let sender = addresses("Sender")
        let replyTo = addresses("Reply-To")
        for list in [from, sender.isEmpty ? from : sender, replyTo.isEmpty ? from : replyTo] {
            writer.raw(" ")
            writeAddresses(list, into: &writer)
        }
        for name in ["To", "Cc", "Bcc"] {
            writer.raw(" ")
            writeAddresses(addresses(name), into: &writer)
        }
        writer.raw(" ")
        writer.nilOrString(text("In-Reply-To"))
        writer.raw(" ")
        writer.nilOrString(text("Message-ID"))
        writer.raw(")")
    }

    /// RFC 3501 7.4.2 address structures; a group is `(NIL NIL "name" NIL)` ... `(NIL NIL NIL NIL)`.
    private static func writeAddresses(_ list: [MIMEAddress], into writer: inout IMAPWriter) {
        guard !list.isEmpty else { return writer.raw("NIL") }
        writer.raw("(")
        for address in list {
            writer.raw("(")
            switch address.kind {
            case .mailbox:
                writer.nilOrString(address.name)
                writer.raw(" ")
                writer.nilOrString(address.route)
                writer.raw(" ")
                writer.nilOrString(address.mailbox ?? [])
                writer.raw(" ")
                writer.nilOrString(address.host ?? [])
            case .groupStart:
                writer.raw("NIL NIL ")
                writer.nilOrString(address.mailbox ?? [])
                writer.raw(" NIL")
            case .groupEnd:
                writer.raw("NIL NIL NIL NIL")
            }
            writer.raw(")")
        }
        writer.raw(")")
    }
}
