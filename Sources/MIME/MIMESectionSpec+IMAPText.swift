// The section-spec written back, for the FETCH response's `BODY[<section>]` (RFC 3501 7.4.2).

extension MIMESectionSpec: CustomStringConvertible {
    /// The spec in RFC 3501 9 syntax (`1.2.HEADER.FIELDS (SUBJECT FROM)`), as a FETCH response echoes it.
    ///
    /// Field names are written as atoms when they are atoms, else as quoted strings;
    /// `MIMESectionSpec(parsing: spec.description) == spec`.
    public var description: String {
        var parts = part.map(String.init)
        switch text {
        case nil: break
        case .header: parts.append("HEADER")
        case .text: parts.append("TEXT")
        case .mime: parts.append("MIME")
        case .headerFields(let names): parts.append("HEADER.FIELDS " + Self.list(names))
        case .headerFieldsNot(let names): parts.append("HEADER.FIELDS.NOT " + Self.list(names))
        }
        return parts.joined(separator: ".")
    }

    private static func list(_ names: [String]) -> String {
        "(" + names.map(astring).joined(separator: " ") + ")"
    }

    private static func astring(_ name: String) -> String {
        let isAtom =
            !name.isEmpty && name.utf8.allSatisfy { $0 > 32 && $0 < 127 && !ByteSet.atomSpecials.contains($0) }
        guard !isAtom else { return name }
        var quoted = "\""
        for character in name {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }
}
