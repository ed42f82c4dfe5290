public import Foundation
import MIME

/// What IMAP FETCH ENVELOPE and BODYSTRUCTURE answer for a stored content, computed once when
/// the content is stored, so that a header listing of a big folder reads rows instead of
/// parsing every message again (the role of Dovecot's index cache, filled at delivery).
///
/// Both are in their IMAP4rev1 form (RFC 3501 7.4.2); an IMAP4rev2 session, whose quoting
/// rules differ for 8-bit text, computes its own from the bytes.
public struct ContentStructure: Sendable, Hashable {
    /// RFC 3501 7.4.2 ENVELOPE.
    public var envelope: [UInt8]
    /// RFC 3501 7.4.2 BODYSTRUCTURE (with extension data).
    public var bodyStructure: [UInt8]

    public init(envelope: [UInt8], bodyStructure: [UInt8]) {
        self.envelope = envelope
        self.bodyStructure = bodyStructure
    }

    /// Parses the message; lenient, like the MIME module: any bytes give a structure.
    public init(of bytes: Data) {
        let message = MIMEMessage(Array(bytes))
        self.init(envelope: message.envelope(.rev1), bodyStructure: message.bodyStructure(extensible: true))
    }
}
