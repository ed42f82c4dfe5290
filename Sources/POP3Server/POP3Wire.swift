public import Foundation
public import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a stored message goes on the wire (RFC 1939 3 and 7): CRLF line ends, dot-stuffed,
/// ended by `.` CRLF.
///
/// Reading of RFC 1939 on sizes: STAT and LIST (section 5) give "the exact size of the message
/// in octets"; section 11 says a message travels with CRLF line ends whatever the local
/// convention, and that the server computes the sizes for that form when it opens the maildrop.
/// Byte-stuffing and the terminating line (section 3) belong to the multi-line framing, not to
/// the message. So a size here counts every line with CRLF, a final CRLF added when the message
/// lacks one, and neither the stuffed dots nor the terminator. Stored messages already use CRLF;
/// a bare LF or CR is still sent (and counted) as CRLF, so the size always matches what RETR sends.
public enum POP3Wire {
    /// The octets ``encode(_:bodyLines:into:)`` sends for a whole message, before stuffing.
    public static func size(of message: Data) -> Int {
        var total = 0
        forEachLine(message) { line in
            total += line.count + 2
            return true
        }
        return total
    }

    /// Appends the message (or, with `bodyLines`, its header, the blank line and that many body
    /// lines: TOP) dot-stuffed, then the terminating `.` CRLF. Returns the message octets sent
    /// before stuffing.
    @discardableResult
    public static func encode(_ message: Data, bodyLines: Int? = nil, into buffer: inout ByteBuffer) -> Int {
        buffer.reserveCapacity(minimumWritableBytes: message.count + message.count / 32 + 8)
        if bodyLines == nil, let sent = encodeCanonical(message, into: &buffer) { return sent }
        var sent = 0
        var inBody = false
        var bodyLeft = bodyLines ?? Int.max
        message.withUnsafeBytes { raw in
            forEachLine(raw) { line in
                if inBody {
                    guard bodyLeft > 0 else { return false }
                    bodyLeft -= 1
                } else if line.isEmpty {
                    inBody = true
                }
                // RFC 1939 3: a line starting with the termination octet gets one more in front.
                if line.first == UInt8(ascii: ".") { buffer.writeInteger(UInt8(ascii: ".")) }
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: line))
                buffer.writeStaticString("\r\n")
                sent += line.count + 2
                return true
            }
        }
        buffer.writeStaticString(".\r\n")
        return sent
    }

    /// RETR of a message that already is in wire form (every line ends with CRLF, no bare CR or
    /// LF), as nearly all are (SMTP refuses bare line ends): whole runs of lines are copied at a
    /// time, split only where a line starts with a dot. Nil, with nothing written, for any other
    /// message, which then takes the line-by-line path.
    private static func encodeCanonical(_ message: Data, into buffer: inout ByteBuffer) -> Int? {
        let start = buffer.writerIndex
        let canonical = message.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            guard let base = raw.baseAddress, raw.count >= 2 else { return raw.isEmpty }
            let bytes = base.assumingMemoryBound(to: UInt8.self)
            let count = raw.count
            let cr = Int32(UInt8(ascii: "\r"))
            let lf = Int32(UInt8(ascii: "\n"))
            var runStart = 0
            var lineStart = 0
            while lineStart < count {
                // RFC 1939 3: a line that starts with "." gets one more in front.
                if bytes[lineStart] == UInt8(ascii: ".") {
                    buffer.writeBytes(UnsafeRawBufferPointer(start: base + runStart, count: lineStart - runStart))
                    buffer.writeInteger(UInt8(ascii: "."))
                    runStart = lineStart
                }
                guard let found = memchr(base + lineStart, lf, count - lineStart) else { return false }
                let end = base.distance(to: UnsafeRawPointer(found))
                // The line must end in CR LF and hold no other CR.
                guard end > lineStart, bytes[end - 1] == UInt8(ascii: "\r") else { return false }
                if let bareCR = memchr(base + lineStart, cr, end - lineStart),
                    UnsafeRawPointer(bareCR) != base + end - 1
                {
                    return false
                }
                lineStart = end + 1
            }
            buffer.writeBytes(UnsafeRawBufferPointer(start: base + runStart, count: count - runStart))
            return true
        }
        guard canonical else {
            buffer.moveWriterIndex(to: start)
            return nil
        }
        buffer.writeStaticString(".\r\n")
        return message.count
    }

    static func forEachLine(_ message: Data, _ body: (Slice<UnsafeRawBufferPointer>) -> Bool) {
        message.withUnsafeBytes { forEachLine($0, body) }
    }

    /// Calls `body` with each line without its line end (CRLF, LF or a lone CR), the last one
    /// only if it is not empty; stops when `body` returns false.
    static func forEachLine(_ bytes: UnsafeRawBufferPointer, _ body: (Slice<UnsafeRawBufferPointer>) -> Bool) {
        let cr = UInt8(ascii: "\r")
        let lf = UInt8(ascii: "\n")
        var start = 0
        var index = 0
        let end = bytes.count
        while index < end {
            let byte = bytes[index]
            if byte == lf || byte == cr {
                guard body(bytes[start..<index]) else { return }
                index += (byte == cr && index + 1 < end && bytes[index + 1] == lf) ? 2 : 1
                start = index
            } else {
                index += 1
            }
        }
        if start < end { _ = body(bytes[start..<end]) }
    }
}
