import MailListener
import MailStore
public import NIOCore

/// Builds response bytes (RFC 3501 7, 9): atoms, quoted strings, literals, lists.
///
/// Strings are quoted when that is exact (7-bit, no CR/LF/NUL), otherwise sent as literals.
public struct IMAPResponseWriter: Sendable {
    public internal(set) var buffer: ByteBuffer

    public init(capacity: Int = 256) { buffer = ByteBufferAllocator().buffer(capacity: capacity) }

    /// Raw protocol text (atoms, numbers, punctuation).
    public mutating func raw(_ text: String) { buffer.writeString(text) }

    public mutating func bytes(_ bytes: some Collection<UInt8>) { buffer.writeBytes(bytes) }

    /// A number in decimal, written straight into the buffer (no string made on the way: a
    /// FETCH of a big folder writes several per message).
    public mutating func number(_ value: some BinaryInteger) { buffer.writeDecimal(value) }

    /// A string: quoted when safe, else a literal.
    public mutating func string(_ value: some Collection<UInt8>) {
        if value.count <= 1024, value.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            buffer.writeInteger(UInt8(ascii: "\""))
            for byte in value {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { buffer.writeInteger(UInt8(ascii: "\\")) }
                buffer.writeInteger(byte)
            }
            buffer.writeInteger(UInt8(ascii: "\""))
        } else {
            literal(value)
        }
    }

    public mutating func string(_ value: String) { string(Array(value.utf8)) }

    /// A literal `{n}` CRLF bytes.
    public mutating func literal(_ value: some Collection<UInt8>) {
        buffer.writeString("{\(value.count)}\r\n")
        buffer.writeBytes(value)
    }

    /// A mailbox name: modified UTF-7 (RFC 3501 5.1.3), or UTF-8 under IMAP4rev2 (RFC 9051 5.1).
    public mutating func mailbox(_ name: String, utf8: Bool = false) {
        if utf8 && name.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F }) {
            // RFC 9051 4.3: a quoted string may hold UTF-8.
            buffer.writeInteger(UInt8(ascii: "\""))
            for byte in name.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { buffer.writeInteger(UInt8(ascii: "\\")) }
                buffer.writeInteger(byte)
            }
            buffer.writeInteger(UInt8(ascii: "\""))
        } else {
            string(utf8 ? name : ModifiedUTF7.encode(name))
        }
    }

    public mutating func crlf() { buffer.writeString("\r\n") }

    /// A flag list `(\\Seen kw ...)` (RFC 3501 2.3.2), written without building strings.
    mutating func flags(_ flags: MessageFlags, _ keywords: [String], recent: Bool) {
        buffer.writeInteger(UInt8(ascii: "("))
        var first = true
        func word(_ text: String) {
            if !first { buffer.writeInteger(UInt8(ascii: " ")) }
            first = false
            buffer.writeString(text)
        }
        for (flag, name) in IMAPFlags.system where flags.contains(flag) { word(name) }
        if recent { word("\\Recent") }
        for keyword in keywords { word(keyword) }
        buffer.writeInteger(UInt8(ascii: ")"))
    }

    /// A whole line of text with CRLF.
    public mutating func line(_ text: String) { buffer.writeString(text + "\r\n") }
}
