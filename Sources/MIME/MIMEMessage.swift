// The entry point: a parsed message over its original bytes.

/// A message parsed into its MIME structure, keeping the original bytes for byte-exact IMAP fetches.
///
/// Parsing never fails (RFC 2045's robustness: be lenient in what is accepted); renderings are exact.
/// Values are immutable and `Sendable`; parsing is O(size × nesting depth) and bounded by ``MIMELimits``.
public struct MIMEMessage: Sendable {
    /// The message as stored (CRLF line ends expected; bare LF tolerated).
    public let bytes: [UInt8]
    /// The top-level entity (RFC 3501's "part 0"), spanning all of `bytes`.
    public let root: MIMEPart

    /// Parses `bytes`.
    public init(_ bytes: [UInt8], limits: MIMELimits = .default) {
        self.bytes = bytes
        var parser = MIMEParser(bytes: bytes, limits: limits)
        root = parser.parseEntity(0..<bytes.count, depth: 0, inDigest: false)
    }

    /// The top-level header fields.
    public var header: MIMEHeader { root.header }

    /// The Subject with RFC 2047 words decoded, or nil when there is none.
    public var subject: String? { header.first("Subject")?.decodedValue }

    /// The part at RFC 3501 6.4.5 part numbers (`[1, 2]` is "1.2"); `[]` is the message itself.
    ///
    /// A non-multipart entity has only part 1, itself; the parts of a message/rfc822 part are those of the
    /// message it encapsulates. Nil when a number is out of range.
    public func part(at numbers: [Int]) -> MIMEPart? {
        var container = root
        var selected = root
        for (position, number) in numbers.enumerated() {
            if position > 0 {
                switch selected.content {
                case .multipart: container = selected
                case .message(let inner): container = inner
                case .single: return nil
                }
            }
            if case .multipart(let children) = container.content {
                guard number >= 1, number <= children.count else { return nil }
                selected = children[number - 1]
            } else {
                guard number == 1 else { return nil }
                selected = container
            }
        }
        return selected
    }

    /// The bytes of `BODY[spec]<partial>` (RFC 3501 6.4.5), sliced from the original where possible.
    ///
    /// - `HEADER.FIELDS` / `.NOT` copy the selected fields as written (folding kept) and end with the blank line.
    /// - `HEADER`, `TEXT` and the field lists after part numbers need a message/rfc822 part.
    /// - A part that does not exist, or section text that does not apply, gives an empty result.
    public func section(_ spec: MIMESectionSpec, partial: MIMEPartial? = nil) -> ArraySlice<UInt8> {
        let whole = sectionBytes(spec)
        guard let partial else { return whole }
        return partial.apply(to: whole)
    }

    private func sectionBytes(_ spec: MIMESectionSpec) -> ArraySlice<UInt8> {
        let empty = bytes[0..<0]
        guard let part = part(at: spec.part) else { return empty }
        guard let text = spec.text else {
            return spec.part.isEmpty ? bytes[...] : bytes[part.bodyRange]
        }
        if text == .mime { return bytes[part.headerRange] }
        let message: MIMEPart
        if spec.part.isEmpty {
            message = part
        } else if case .message(let inner) = part.content {
            message = inner
        } else {
            return empty
        }
        switch text {
        case .header: return bytes[message.headerRange]
        case .text: return bytes[message.bodyRange]
        case .headerFields(let names): return headerFields(of: message, names, including: true)
        case .headerFieldsNot(let names): return headerFields(of: message, names, including: false)
        case .mime: return bytes[part.headerRange]
        }
    }

    private func headerFields(of message: MIMEPart, _ names: [String], including: Bool) -> ArraySlice<UInt8> {
        var out: [UInt8] = []
        for field in message.header.fields where names.contains(where: field.hasName) == including {
            out += bytes[field.range]
            if out.last != ASCII.lf { out += [ASCII.cr, ASCII.lf] }
        }
        out += [ASCII.cr, ASCII.lf]
        return out[...]
    }

    /// `BINARY[part]<partial>` (RFC 3516 4.2): the part's body with its transfer encoding removed.
    ///
    /// `[]` is the whole message, unchanged.
    /// - Throws: ``MIMEBinaryError/unknownTransferEncoding(_:)`` (IMAP `NO [UNKNOWN-CTE]`) or
    ///   ``MIMEBinaryError/noSuchPart``.
    public func binary(_ numbers: [Int], partial: MIMEPartial? = nil) throws(MIMEBinaryError) -> ArraySlice<UInt8> {
        guard let part = part(at: numbers) else { throw .noSuchPart }
        if numbers.isEmpty { return partial.map { $0.apply(to: bytes[...]) } ?? bytes[...] }
        let decoded = try decodedBody(of: part)
        return partial.map { $0.apply(to: decoded) } ?? decoded
    }

    /// A part's body with its Content-Transfer-Encoding (RFC 2045 6) removed; identity encodings are sliced.
    ///
    /// - Throws: ``MIMEBinaryError/unknownTransferEncoding(_:)`` for anything but 7bit, 8bit, binary, base64
    ///   and quoted-printable.
    public func decodedBody(of part: MIMEPart) throws(MIMEBinaryError) -> ArraySlice<UInt8> {
        let body = bytes[part.bodyRange]
        switch part.transferEncoding {
        case "7bit", "8bit", "binary": return body
        case "base64": return (TransferEncoding.decodeBase64(body) ?? [])[...]
        case "quoted-printable": return TransferEncoding.decodeQuotedPrintable(body)[...]
        case let other: throw .unknownTransferEncoding(other)
        }
    }

    /// `BINARY.SIZE[part]` (RFC 3516 4.3): the decoded size.
    public func binarySize(_ numbers: [Int]) throws(MIMEBinaryError) -> Int {
        try binary(numbers).count
    }
}

/// A `<origin.length>` partial fetch (RFC 3501 6.4.5).
public struct MIMEPartial: Sendable, Hashable {
    /// First octet, 0-based.
    public var origin: Int
    /// Octets at most.
    public var length: Int

    /// Creates a partial range; negative values act as 0.
    public init(origin: Int, length: Int) {
        self.origin = max(0, origin)
        self.length = max(0, length)
    }

    /// RFC 3501 6.4.5: an origin past the end gives an empty string; a length past the end is cut.
    func apply(to bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard origin < bytes.count else { return bytes[bytes.endIndex...] }
        let start = bytes.startIndex + origin
        let available = bytes.endIndex - start
        return bytes[start..<(start + min(length, available))]
    }
}

/// Why BINARY cannot be served.
public enum MIMEBinaryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// RFC 3516 4.2: the part's Content-Transfer-Encoding is unknown; IMAP answers `NO [UNKNOWN-CTE]`.
    case unknownTransferEncoding(String)
    /// The part numbers address no part.
    case noSuchPart

    /// Text for the NO reply.
    public var description: String {
        switch self {
        case .unknownTransferEncoding(let name): "cannot decode Content-Transfer-Encoding \(name)"
        case .noSuchPart: "no such body part"
        }
    }
}
