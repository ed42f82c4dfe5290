// RFC 3501 7.4.2 BODY and BODYSTRUCTURE (RFC 9051 7.5.2 for message/global).

extension MIMEMessage {
    /// The IMAP BODYSTRUCTURE (`extensible: true`) or BODY (`false`) of the message.
    ///
    /// Basic fields: type, subtype, parameters (as written, NIL when none; a missing Content-Type gives
    /// `("charset" "us-ascii")` per RFC 2045 5.2), Content-ID, Content-Description, transfer encoding
    /// (upper-cased, `7BIT` by default), body size in octets; text parts add their line count; message/rfc822
    /// adds envelope, body structure and line count. Extension data: MD5, disposition, language, location
    /// for leaves; parameters, disposition, language, location for multiparts.
    public func bodyStructure(extensible: Bool, revision: IMAPRevision = .rev1) -> [UInt8] {
        var writer = IMAPWriter(revision: revision)
        Self.writeBody(root, extensible: extensible, into: &writer)
        return writer.bytes
    }

    static func writeBody(_ part: MIMEPart, extensible: Bool, into writer: inout IMAPWriter) {
        writer.raw("(")
        defer { writer.raw(")") }
        if case .multipart(let children) = part.content {
            for child in children { writeBody(child, extensible: extensible, into: &writer) }
            writer.raw(" ")
            writer.string(part.contentType.subtype)
            guard extensible else { return }
            writer.raw(" ")
            writeParameters(part.contentType.parameters, into: &writer)
            writeCommonExtensions(part, into: &writer)
            return
        }
        writer.string(part.contentType.type)
        writer.raw(" ")
        writer.string(part.contentType.subtype)
        writer.raw(" ")
        writeParameters(part.contentType.parameters, into: &writer)
        writer.raw(" ")
        writer.nilOrString(part.header.first("Content-ID")?.unfoldedBytes)
        writer.raw(" ")
        writer.nilOrString(part.header.first("Content-Description")?.unfoldedBytes)
        writer.raw(" ")
        writer.string(part.transferEncoding.uppercased())
        writer.raw(" \(part.bodyRange.count)")
        let describesMessage =
            part.contentType.type == "message"
            && (part.contentType.subtype == "rfc822"
                || (part.contentType.subtype == "global" && writer.revision == .rev2))
        if describesMessage {
            writer.raw(" ")
            if case .message(let inner) = part.content {
                writeEnvelope(of: inner.header, into: &writer)
                writer.raw(" ")
                writeBody(inner, extensible: extensible, into: &writer)
            } else {
                // Past MIMELimits.maximumDepth the message is not parsed; the grammar still needs an envelope
                // and a body, so empty ones stand in.
                writer.raw("(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" \"plain\" NIL NIL NIL \"7BIT\" 0 0)")
            }
            writer.raw(" \(part.bodyLineCount)")
        } else if part.contentType.type == "text" {
            writer.raw(" \(part.bodyLineCount)")
        }
        guard extensible else { return }
        writer.raw(" ")
        writer.nilOrString(part.header.first("Content-MD5")?.unfoldedBytes)
        writeCommonExtensions(part, into: &writer)
    }

    /// Disposition, language and location (RFC 3501 7.4.2 body-ext-1part / body-ext-mpart).
    private static func writeCommonExtensions(_ part: MIMEPart, into writer: inout IMAPWriter) {
        writer.raw(" ")
        if let disposition = part.contentDisposition {
            writer.raw("(")
            writer.string(disposition.type)
            writer.raw(" ")
            writeParameters(disposition.parameters, into: &writer)
            writer.raw(")")
        } else {
            writer.raw("NIL")
        }
        writer.raw(" ")
        let languages = part.contentLanguages
        switch languages.count {
        case 0: writer.raw("NIL")
        case 1: writer.string(languages[0])
        default:
            writer.raw("(")
            for (index, language) in languages.enumerated() {
                if index > 0 { writer.raw(" ") }
                writer.string(language)
            }
            writer.raw(")")
        }
        writer.raw(" ")
        writer.nilOrString(part.header.first("Content-Location")?.unfoldedBytes)
    }

    /// `("name" "value" ...)` or NIL. RFC 2231 parameters are passed as written (`filename*0*`), as RFC 2231 9
    /// expects of IMAP servers, so clients see the charset.
    private static func writeParameters(_ parameters: [MIMEParameter], into writer: inout IMAPWriter) {
        guard !parameters.isEmpty else { return writer.raw("NIL") }
        writer.raw("(")
        for (index, parameter) in parameters.enumerated() {
            if index > 0 { writer.raw(" ") }
            writer.string(parameter.name)
            writer.raw(" ")
            writer.string(parameter.value)
        }
        writer.raw(")")
    }
}
