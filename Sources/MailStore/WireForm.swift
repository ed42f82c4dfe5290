/// How a stored message goes on a line-oriented wire (RFC 1939 POP3 RETR; RFC 5321 4.5.2 DATA
/// when mail goes out): every line ended by CRLF, lines that start with a dot stuffed.
///
/// A protocol works it out from the bytes, once: a content never changes, so the store keeps the
/// form with it (``MailStore/keepWireForms(_:)``) and a later session, after a restart too,
/// reads the form instead of every message's bytes.
public struct WireForm: Sendable, Equatable {
    /// The octets of the whole message with CRLF line ends (a bare LF or CR counted as CRLF, a
    /// final CRLF added when missing), before stuffing.
    public var size: Int
    /// For a message whose every line ends with CRLF and holds no other CR or LF, the offsets of
    /// its lines that start with a dot (a sender copies the runs between them); nil for any other
    /// message, and for one with too many such lines to list, which a sender scans instead.
    public var dotLines: [Int]?

    public init(size: Int, dotLines: [Int]?) {
        self.size = size
        self.dotLines = dotLines
    }
}
