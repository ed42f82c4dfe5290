#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The message of a BDAT transaction (RFC 3030 2), grown chunk by chunk.
///
/// Chunks are counted octets: no dot-stuffing and no end line, so nothing in them can end the
/// message early. What is kept follows the rules of DATA (``SMTPDataReader``): CRLF line ends only
/// (a bare LF or CR refuses the message, RFC 5321 2.3.8), lines within the framer's bound, at most
/// `maximumBytes` octets; past the limit nothing is kept and the chunks are still read.
public struct SMTPChunkedMessage: Sendable {
    public let maximumBytes: Int
    public let maximumLineLength: Int
    /// The message so far; with CRLF at its end after ``finish()``.
    public private(set) var bytes: [UInt8] = []
    /// The octets received, kept or not.
    public private(set) var receivedBytes = 0
    /// The first thing wrong with the message, if any.
    public private(set) var problem: SMTPDataReader.Problem?
    /// Octets of the current line so far (a line may span chunks).
    private var lineLength = 0
    /// The last octet was a CR: the next must be LF (a CRLF may span chunks).
    private var pendingCR = false

    public init(maximumBytes: Int, maximumLineLength: Int) {
        self.maximumBytes = maximumBytes
        self.maximumLineLength = maximumLineLength
    }

    /// Adds one chunk's octets.
    public mutating func append(_ chunk: UnsafeRawBufferPointer) {
        let (total, overflow) = receivedBytes.addingReportingOverflow(chunk.count)
        receivedBytes = overflow ? Int.max : total
        if receivedBytes > maximumBytes { note(.tooLarge) }
        check(chunk)
        if problem == nil {
            bytes.append(contentsOf: chunk)
        } else if !bytes.isEmpty {
            bytes = []  // Nothing of a refused message is kept.
        }
    }

    /// The last chunk was added (`BDAT n LAST`): a CR left at the very end is bare, and a last line
    /// without its CRLF gets one, so the message ends as one read with DATA does.
    public mutating func finish() {
        if pendingCR { note(.bareLineEnd) }
        if problem != nil {
            bytes = []
        } else if lineLength > 0 {
            bytes += [0x0D, 0x0A]
            lineLength = 0
        }
    }

    /// Line ends and line lengths in `chunk`, going on from the chunks before.
    private mutating func check(_ chunk: UnsafeRawBufferPointer) {
        guard problem == nil, !chunk.isEmpty, let base = chunk.baseAddress else { return }
        var start = 0
        if pendingCR {
            // A CRLF split between two chunks.
            guard chunk[0] == 0x0A else { return note(.bareLineEnd) }
            pendingCR = false
            lineLength = 0
            start = 1
        }
        while start < chunk.count {
            guard let found = memchr(base + start, 0x0A, chunk.count - start) else {
                // The line goes on in the next chunk; a CR at the very end may be half a CRLF.
                var end = chunk.count
                if chunk[end - 1] == 0x0D {
                    pendingCR = true
                    end -= 1
                }
                if memchr(base + start, 0x0D, end - start) != nil { return note(.bareLineEnd) }
                lineLength += end - start
                if lineLength > maximumLineLength { note(.lineTooLong) }
                return
            }
            let newline = base.distance(to: UnsafeRawPointer(found))
            // The LF must follow a CR of this line, and no other CR may be in it.
            guard newline > start, chunk[newline - 1] == 0x0D else { return note(.bareLineEnd) }
            if memchr(base + start, 0x0D, newline - 1 - start) != nil { return note(.bareLineEnd) }
            lineLength += newline - 1 - start
            guard lineLength <= maximumLineLength else { return note(.lineTooLong) }
            lineLength = 0
            start = newline + 1
        }
    }

    private mutating func note(_ found: SMTPDataReader.Problem) {
        if problem == nil { problem = found }
    }
}
