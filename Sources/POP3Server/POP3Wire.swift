public import Foundation
public import MailStore
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
    /// What RETR makes of a stored message, worked out once per content (contents never change)
    /// and kept with it by the store: its ``WireForm/size`` is what ``encode(_:bodyLines:dotLines:into:)``
    /// sends for the whole message before stuffing, and its ``WireForm/dotLines`` (at most
    /// ``maximumDotLines``) let RETR copy the runs between them without looking at the bytes.
    public typealias Form = WireForm

    /// More lines that start with a dot than this, and a message's form does not list them
    /// (its RETR scans the bytes instead): a cached form stays small.
    public static let maximumDotLines = 64

    /// The octets ``encode(_:bodyLines:dotLines:into:)`` sends for a whole message, before stuffing.
    public static func size(of message: Data) -> Int { form(of: message).size }

    /// The message's size on the wire, and where RETR must stuff a dot.
    public static func form(of message: Data) -> Form {
        if let dotLines = crlfDotLines(of: message) { return Form(size: message.count, dotLines: dotLines) }
        var total = 0
        forEachLine(message) { line in
            total += line.count + 2
            return true
        }
        // Not in wire form, or too many dot lines to list: if in wire form, its size is its length.
        return Form(size: total, dotLines: nil)
    }

    /// The offsets of the lines that start with a dot if every line ends with CRLF and holds no
    /// other CR or LF and there are at most ``maximumDotLines`` of them; nil otherwise.
    private static func crlfDotLines(of message: Data) -> [Int]? {
        message.withUnsafeBytes { raw -> [Int]? in
            var dotLines: [Int] = []
            let crlf = forEachCRLFLine(raw) { lineStart in
                if raw[lineStart] == UInt8(ascii: ".") { dotLines.append(lineStart) }
            }
            return crlf && dotLines.count <= maximumDotLines ? dotLines : nil
        }
    }

    /// Calls `body` with the offset of each line while every line seen ends with CRLF and holds
    /// no other CR or LF; false at the first that does not (or a last line without CRLF). Two
    /// `memchr` per line, so a message is crossed at memory speed.
    private static func forEachCRLFLine(_ raw: UnsafeRawBufferPointer, _ body: (Int) -> Void) -> Bool {
        guard let base = raw.baseAddress else { return true }
        let count = raw.count
        var lineStart = 0
        while lineStart < count {
            body(lineStart)
            guard let found = memchr(base + lineStart, Int32(UInt8(ascii: "\n")), count - lineStart) else {
                return false
            }
            let end = base.distance(to: UnsafeRawPointer(found))
            guard end > lineStart, raw[end - 1] == UInt8(ascii: "\r") else { return false }
            if let cr = memchr(base + lineStart, Int32(UInt8(ascii: "\r")), end - lineStart),
                UnsafeRawPointer(cr) != base + end - 1
            {
                return false
            }
            lineStart = end + 1
        }
        return true
    }

    /// Appends the message (or, with `bodyLines`, its header, the blank line and that many body
    /// lines: TOP) dot-stuffed, then the terminating `.` CRLF. Returns the message octets sent
    /// before stuffing.
    ///
    /// `dotLines` is the message's ``Form/dotLines``: RETR then copies the runs between them
    /// without a look at the bytes.
    @discardableResult
    public static func encode(
        _ message: Data, bodyLines: Int? = nil, dotLines: [Int]? = nil, into buffer: inout ByteBuffer
    ) -> Int {
        if bodyLines == nil, let dotLines, (dotLines.last ?? 0) < max(message.count, 1) {
            buffer.reserveCapacity(minimumWritableBytes: message.count + dotLines.count + 3)
            message.withUnsafeBytes { raw in
                var runStart = 0
                for lineStart in dotLines {
                    // RFC 1939 3: a line that starts with "." gets one more in front.
                    buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[runStart..<lineStart]))
                    buffer.writeInteger(UInt8(ascii: "."))
                    runStart = lineStart
                }
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[runStart...]))
            }
            buffer.writeStaticString(".\r\n")
            return message.count
        }
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
            var runStart = 0
            let crlf = forEachCRLFLine(raw) { lineStart in
                // RFC 1939 3: a line that starts with "." gets one more in front.
                guard raw[lineStart] == UInt8(ascii: ".") else { return }
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[runStart..<lineStart]))
                buffer.writeInteger(UInt8(ascii: "."))
                runStart = lineStart
            }
            guard crlf else { return false }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[runStart...]))
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

    /// The fuzz entry point (Sources/Fuzz/POP3Command), with the bytes as a stored message: the
    /// form's size is what RETR sends before stuffing, the dot-line path sends what the scanning
    /// path sends, and the reply ends with its only `CRLF . CRLF` and holds no bare CR or LF
    /// (RFC 1939 3): whatever is stored, a client never sees the message end early.
    public static func fuzz(_ bytes: UnsafeRawBufferPointer) {
        let message = Data(bytes)
        let form = form(of: message)
        var scanned = ByteBuffer()
        let sent = encode(message, bodyLines: Int.max, into: &scanned)
        guard sent == form.size else { fatalError("form size \(form.size), sent \(sent)") }
        var fast = ByteBuffer()
        _ = encode(message, dotLines: form.dotLines, into: &fast)
        guard fast == scanned else { fatalError("the dot-line path differs from the scanning path") }
        let wire = Array(fast.readableBytesView)
        let end: [UInt8] = Array("\r\n.\r\n".utf8)
        guard wire.count >= 3, wire.suffix(3).elementsEqual(".\r\n".utf8) else { fatalError("no terminator") }
        for index in wire.indices {
            let byte = wire[index]
            if byte == UInt8(ascii: "\r"), index + 1 >= wire.count || wire[index + 1] != UInt8(ascii: "\n") {
                fatalError("bare CR at \(index)")
            }
            if byte == UInt8(ascii: "\n"), index == 0 || wire[index - 1] != UInt8(ascii: "\r") {
                fatalError("bare LF at \(index)")
            }
            // The terminator, CRLF "." CRLF, only at the very end (or the whole reply when empty).
            if index + end.count < wire.count, wire[index..<(index + end.count)].elementsEqual(end) {
                fatalError("terminator before the end, at \(index)")
            }
        }
        if wire.count > 3, !wire.suffix(5).elementsEqual(end) { fatalError("the last line lacks its CRLF") }
    }
}
