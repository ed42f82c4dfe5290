import Foundation
import MIME

/// A stored message as FETCH and SEARCH see it: the one place that uses the MIME module.
///
/// The MIME structure is parsed on first need: `BODY[]`, `RFC822` and partials of them are
/// served from the bytes alone, which is what a client downloading a mailbox asks for.
final class IMAPMessageView {
    /// The message as stored.
    let data: Data

    /// RFC 9051: under IMAP4rev2, UTF-8 strings may be quoted and message/global is described like message/rfc822.
    let revision: IMAPRevision

    private var parsed: MIMEMessage?
    private var array: [UInt8]?

    init(_ data: Data, rev2: Bool = false) {
        self.data = data
        revision = rev2 ? .rev2 : .rev1
    }

    /// The bytes as an array, for the MIME parser (made once, on first need).
    var bytes: [UInt8] {
        if let array { return array }
        let made = Array(data)
        array = made
        return made
    }

    /// `BODY[]` or `BODY[]<partial>`: the stored bytes as they are, without copying or parsing.
    func wholeMessage(_ section: String, partial: IMAPPartial?) -> Data? {
        guard section.isEmpty else { return nil }
        guard let partial else { return data }
        // RFC 3501 6.4.5: an origin past the end gives an empty string; a length past the end is cut.
        guard partial.origin < data.count else { return Data() }
        let start = data.startIndex + partial.origin
        return data[start..<(start + min(partial.length, data.count - partial.origin))]
    }

    var message: MIMEMessage {
        if let parsed { return parsed }
        let message = MIMEMessage(bytes)
        parsed = message
        return message
    }

    /// RFC 3501 7.4.2 ENVELOPE, from the header alone unless the message is parsed already.
    var envelope: [UInt8] {
        parsed?.envelope(revision) ?? MIMEMessage.envelope(headerOf: bytes, revision: revision)
    }

    /// BODYSTRUCTURE (`extensible`) or BODY.
    func bodyStructure(extensible: Bool) -> [UInt8] {
        message.bodyStructure(extensible: extensible, revision: revision)
    }

    /// BODY[section]<partial>; throws BAD for a malformed section-spec.
    func section(_ text: String, partial: IMAPPartial?) throws(IMAPCommandFailure) -> ArraySlice<UInt8> {
        let spec: MIMESectionSpec
        do {
            spec = try MIMESectionSpec(parsing: text)
        } catch {
            throw .bad(error.description)
        }
        return message.section(spec, partial: partial.map { MIMEPartial(origin: $0.origin, length: $0.length) })
    }

    /// RFC 3516 BINARY[part]<partial>.
    func binary(_ part: [Int], partial: IMAPPartial?) throws(IMAPCommandFailure) -> ArraySlice<UInt8> {
        do {
            return try message.binary(part, partial: partial.map { MIMEPartial(origin: $0.origin, length: $0.length) })
        } catch .unknownTransferEncoding(let name) {
            throw .no("[UNKNOWN-CTE] cannot decode Content-Transfer-Encoding \(name)")
        } catch {
            throw .no("[NONEXISTENT] \(error)")
        }
    }

    func binarySize(_ part: [Int]) throws(IMAPCommandFailure) -> Int { try binary(part, partial: nil).count }

    /// The decoded values of a header field (RFC 2047 words decoded), for SEARCH.
    func headerValues(_ name: String) -> [String] { message.header.all(name).map(\.decodedValue) }

    /// The whole header, decoded, for SEARCH TEXT.
    var headerText: String { message.header.fields.map { $0.name + ": " + $0.decodedValue }.joined(separator: "\n") }

    /// The body bytes (after the header), for SEARCH BODY.
    var body: ArraySlice<UInt8> { message.section(MIMESectionSpec(part: [], text: .text)) }
}
