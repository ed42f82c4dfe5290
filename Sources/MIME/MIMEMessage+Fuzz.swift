// STYLE.md section 3: the fuzz entry point, driven by Sources/Fuzz/MIMEMessage.

extension MIMEMessage {
    /// Fuzz entry point: parse, render ENVELOPE and BODYSTRUCTURE, fetch sections; must never trap.
    public static func fuzz(_ bytes: UnsafeRawBufferPointer) {
        let message = MIMEMessage(Array(bytes), limits: MIMELimits(maximumDepth: 16, maximumParts: 200))
        for revision in [IMAPRevision.rev1, .rev2] {
            _ = message.envelope(revision)
            _ = message.bodyStructure(extensible: true, revision: revision)
            _ = message.bodyStructure(extensible: false, revision: revision)
        }
        _ = message.subject
        let specs = [
            "", "HEADER", "TEXT", "1", "1.MIME", "2.1.TEXT", "1.2.HEADER.FIELDS (SUBJECT FROM)",
            "HEADER.FIELDS.NOT (To)", "1.1.1.HEADER",
        ]
        for text in specs {
            guard let spec = try? MIMESectionSpec(parsing: text) else { continue }
            _ = message.section(spec, partial: MIMEPartial(origin: 3, length: 50))
            _ = try? message.binary(spec.part)
        }
        var pending = [message.root]
        while let part = pending.popLast() {
            _ = part.filename
            _ = part.contentLanguages
            pending += part.children
            if let inner = part.encapsulatedMessage { pending.append(inner) }
            for field in part.header.fields.prefix(8) {
                _ = field.decodedValue
                _ = MIMEAddressParser.parse(field.unfoldedBytes)
            }
        }
    }
}
