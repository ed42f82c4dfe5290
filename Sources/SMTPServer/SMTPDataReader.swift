#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads the lines of a DATA section (RFC 5321 4.1.1.4) into message bytes.
///
/// - Only `<CRLF>.<CRLF>` ends the data (RFC 5321 2.3.8, 4.1.1.4): a `.` line counts only when it
///   and the line before it end in CRLF, so `\n.\n`, `\n.\r\n` and `\r\n.\n` never end it. That
///   closes the "SMTP smuggling" hole: no second message can hide in the first.
/// - A line ending in a bare LF, or holding a bare CR, makes the message refused (``Problem/bareLineEnd``)
///   once the real end arrives; it is not repaired. Mailgate's choice, as Postfix 3.9's
///   `smtpd_forbid_bare_newline`: refuse rather than guess what the sender meant.
/// - Dot-unstuffing (RFC 5321 4.5.2): one leading `.` is removed from every other line.
/// - Bounded: at most `maximumBytes` octets are kept; past that the reader goes on to the end without
///   keeping anything (``Problem/tooLarge``), so the client gets its 552 after its final dot.
public struct SMTPDataReader: Sendable {
    public enum Problem: Sendable, Hashable {
        /// More than the limit (RFC 1870 `552 5.3.4`).
        case tooLarge
        /// A bare LF line end or a lone CR (RFC 5321 2.3.8).
        case bareLineEnd
        /// A line over the framer's bound (lenient past RFC 5321's 1000, but bounded).
        case lineTooLong
    }

    public let maximumBytes: Int
    /// The message with CRLF line ends, dot-unstuffed; complete only when ``add(line:endsWithCRLF:)`` returned true.
    public private(set) var bytes: [UInt8] = []
    /// The octets received for the message, kept or not (CRLF line ends, unstuffed).
    public private(set) var receivedBytes = 0
    /// The first thing wrong with the message, if any.
    public private(set) var problem: Problem?
    private var previousEndedWithCRLF = true

    public init(maximumBytes: Int) {
        self.maximumBytes = maximumBytes
        bytes.reserveCapacity(min(maximumBytes, 16 * 1024))
    }

    /// Adds one line (without its line end); returns true when it was the end-of-data `.`.
    public mutating func add(line: some Collection<UInt8>, endsWithCRLF: Bool) -> Bool {
        let isDot = line.count == 1 && line.first == UInt8(ascii: ".")
        if isDot && endsWithCRLF && previousEndedWithCRLF { return true }
        previousEndedWithCRLF = endsWithCRLF
        if !endsWithCRLF || line.contains(0x0D) { note(.bareLineEnd) }
        let content = line.first == UInt8(ascii: ".") ? line.dropFirst() : line[...]
        let (total, overflow) = receivedBytes.addingReportingOverflow(content.count + 2)
        receivedBytes = overflow ? Int.max : total
        if receivedBytes > maximumBytes {
            note(.tooLarge)
        }
        if problem == nil {
            bytes.append(contentsOf: content)
            bytes.append(0x0D)
            bytes.append(0x0A)
        } else if !bytes.isEmpty {
            bytes = []  // Nothing of a refused message is kept.
        }
        return false
    }

    /// Adds complete lines, each with its line end (CRLF or bare LF), as the framer's bulk mode
    /// reads them. Stops after the end-of-data `.` line; returns how many bytes it took and whether
    /// the data ended. A last fragment without LF is not taken.
    public mutating func add(lines: UnsafeRawBufferPointer) -> (taken: Int, ended: Bool) {
        guard let base = lines.baseAddress else { return (0, false) }
        var start = 0
        while start < lines.count, let found = memchr(base + start, 0x0A, lines.count - start) {
            let newline = base.distance(to: UnsafeRawPointer(found))
            let endsWithCRLF = newline > start && lines[newline - 1] == 0x0D
            let line = UnsafeRawBufferPointer(rebasing: lines[start..<(endsWithCRLF ? newline - 1 : newline)])
            start = newline + 1
            if add(line: line, endsWithCRLF: endsWithCRLF) { return (start, true) }
        }
        return (start, false)
    }

    /// The framer dropped a line over its bound.
    public mutating func lineTooLong() {
        note(.lineTooLong)
        // Its line end is unknown (the framer skipped to the LF): assume CRLF so a following "."
        // still ends the data; the message is refused whatever it was.
        previousEndedWithCRLF = true
        bytes = []
    }

    private mutating func note(_ found: Problem) {
        if problem == nil { problem = found }
    }
}
