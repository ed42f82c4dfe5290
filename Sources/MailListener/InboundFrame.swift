public import NIOCore

/// What a mail session reads: a line, a literal, or an event of the connection.
///
/// Events arrive in the same stream as lines, in order, so a session is one loop over frames.
public enum InboundFrame: Sendable, Equatable {
    /// A line without its line end. `endsWithCRLF` is false for a bare LF, which SMTP refuses
    /// (RFC 5321 2.3.8) and other protocols may accept.
    case line(ByteBuffer, endsWithCRLF: Bool)
    /// Several complete lines with their line ends (CRLF or bare LF), read in bulk after a line
    /// the protocol marked ``LiteralDecision/dotTerminatedData``: the lines of SMTP DATA, the last
    /// one possibly the `.` that ends them.
    case lines(ByteBuffer)
    /// A line longer than the limit; its bytes up to the next LF were discarded.
    case lineTooLong
    /// The bytes of a literal announced at the end of the previous line (IMAP `{N}`).
    case literal(ByteBuffer)
    /// Nothing came from the client for the idle time.
    case idleTimeout
    /// The server is stopping: end the session the protocol's way (SMTP 421, IMAP `* BYE`).
    case shutdown
}

/// A protocol's answer to a line ending in a literal announcement, asked by the framer so it
/// knows whether the next bytes are a literal or more lines.
public enum LiteralDecision: Sendable, Equatable {
    /// Not a literal announcement: the next bytes are lines.
    case none
    /// Read the next N bytes as one ``InboundFrame/literal(_:)``.
    case accept(Int)
    /// Read and drop the next N bytes (a non-synchronising literal the session refuses).
    case discard(Int)
    /// The lines after this one are dot-terminated data (SMTP DATA, RFC 5321 4.1.1.4): framed in
    /// bulk, as ``InboundFrame/lines(_:)``, up to and including the line that ends them.
    case dotTerminatedData
}

/// A frame with the TLS epoch it was read in: frames from before a STARTTLS are dropped
/// (RFC 3207 4.2, the command-injection hole). Events have no epoch and always count.
struct StampedFrame: Sendable {
    var epoch: Int?
    var frame: InboundFrame
}
