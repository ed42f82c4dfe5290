/// A value that must never reach a log, an error message or a `--json` dump: a password,
/// a session key, a secret URL token.
///
/// It prints as `<redacted>` through every description API; the wrapped value is reached
/// only through ``exposedValue``, so each place that needs the secret is visible in a grep.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The secret itself. Read it only to hash, verify or send it where it belongs.
    public let exposedValue: String

    public init(_ value: String) { self.exposedValue = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
