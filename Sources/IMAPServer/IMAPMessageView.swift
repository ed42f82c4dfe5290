import MIME

/// A stored message as FETCH and SEARCH see it: the one place that uses the MIME module.
struct IMAPMessageView {
    let message: MIMEMessage

    /// RFC 9051: under IMAP4rev2, UTF-8 strings may be quoted and message/global is described like message/rfc822.
    let revision: IMAPRevision

    init(_ bytes: [UInt8], rev2: Bool = false) {
        message = MIMEMessage(bytes)
        revision = rev2 ? .rev2 : .rev1
    }

    var bytes: [UInt8] { message.bytes }

    /// RFC 3501 7.4.2 ENVELOPE.
    var envelope: [UInt8] { message.envelope(revision) }

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
