// RFC 2045 5 Content-Type with the RFC 2045 5.2 and RFC 2046 5.1.5 defaults.

/// A part's media type: lower-cased type and subtype plus parameters (RFC 2045 5.1).
public struct MIMEContentType: Sendable, Hashable {
    /// The top-level type, lower-cased (`text`, `multipart`, ...).
    public var type: String
    /// The subtype, lower-cased (`plain`, `mixed`, ...).
    public var subtype: String
    /// The parameters as written, in order.
    public var parameters: [MIMEParameter]

    /// Creates a content type; `type` and `subtype` are lower-cased.
    public init(type: String, subtype: String, parameters: [MIMEParameter] = []) {
        self.type = type.lowercased()
        self.subtype = subtype.lowercased()
        self.parameters = parameters
    }

    /// RFC 2045 5.2: the default, `text/plain; charset=us-ascii`.
    public static let defaultText = MIMEContentType(
        type: "text", subtype: "plain", parameters: [MIMEParameter(name: "charset", value: Array("us-ascii".utf8))])

    /// RFC 2046 5.1.5: the default inside `multipart/digest`.
    public static let defaultDigestPart = MIMEContentType(type: "message", subtype: "rfc822")

    /// `type/subtype`.
    public var mimeType: String { type + "/" + subtype }

    /// Whether this is `multipart/*`.
    public var isMultipart: Bool { type == "multipart" }

    /// Whether this type encapsulates a message: `message/rfc822`, or `message/global` (RFC 6532 3.5).
    public var isEncapsulatedMessage: Bool { type == "message" && (subtype == "rfc822" || subtype == "global") }

    /// A parameter's decoded value (RFC 2231 joined and decoded), or nil.
    public func parameter(_ name: String) -> String? { MIMEParameters.decodedValue(of: name, in: parameters) }

    /// A parameter's raw bytes (first exact-name match, case-insensitive), for the multipart boundary.
    func rawParameter(_ name: String) -> [UInt8]? {
        parameters.first { $0.name.utf8.equalsIgnoringCase(name.utf8) }?.value
    }

    /// Parses a Content-Type value; nil when it is not `token/token` (the caller then applies RFC 2045 5.2).
    static func parse(_ bytes: [UInt8]) -> MIMEContentType? {
        let (lead, parameters) = MIMEParameters.parse(bytes)
        guard let slash = lead.firstIndex(of: UInt8(ascii: "/")) else { return nil }
        // RFC 2045 5.1 allows comments and whitespace around the "/" but none inside the tokens.
        let type = lead[..<slash].trimmed
        let subtype = lead[(slash + 1)...].trimmed
        guard !type.isEmpty, !subtype.isEmpty, (type + subtype).allSatisfy(isTokenByte) else { return nil }
        return MIMEContentType(type: headerText(type), subtype: headerText(subtype), parameters: parameters)
    }

    /// RFC 2045 5.1 token: printable ASCII except tspecials.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        guard (33...126).contains(byte) else { return false }
        return !ByteSet.tspecials.contains(byte)
    }
}

/// RFC 2183 Content-Disposition: its type and parameters.
public struct MIMEContentDisposition: Sendable, Hashable {
    /// The disposition type as written (`attachment`, `inline`, ...).
    public var type: String
    /// The parameters as written.
    public var parameters: [MIMEParameter]

    /// A parameter's decoded value (RFC 2231), e.g. `filename`.
    public func parameter(_ name: String) -> String? { MIMEParameters.decodedValue(of: name, in: parameters) }

    static func parse(_ bytes: [UInt8]) -> MIMEContentDisposition? {
        let (lead, parameters) = MIMEParameters.parse(bytes)
        guard !lead.isEmpty else { return nil }
        return MIMEContentDisposition(type: headerText(lead), parameters: parameters)
    }
}
