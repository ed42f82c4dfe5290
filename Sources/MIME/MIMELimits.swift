// Bounds that keep hostile messages cheap (STYLE.md section 3: bounded parsers).

/// Parser limits. Past a limit the parser stops structuring: the rest becomes an opaque leaf, never an error.
public struct MIMELimits: Sendable, Hashable {
    /// Nesting of multiparts and encapsulated messages.
    public var maximumDepth: Int
    /// Entities in one message (all levels).
    public var maximumParts: Int
    /// Header fields kept per entity.
    public var maximumHeaderFields: Int

    /// Creates limits.
    public init(maximumDepth: Int = 64, maximumParts: Int = 10_000, maximumHeaderFields: Int = 2_000) {
        self.maximumDepth = maximumDepth
        self.maximumParts = maximumParts
        self.maximumHeaderFields = maximumHeaderFields
    }

    /// Depth 64, 10,000 parts, 2,000 fields per header.
    public static let `default` = MIMELimits()
}
