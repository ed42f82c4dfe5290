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

/// The kept structures of a run of messages, read together for a FETCH: one buffer holds every
/// ENVELOPE and BODYSTRUCTURE, so a header listing of 2,000 messages makes one allocation, not
/// 4,000.
public struct ContentStructures: Sendable {
    private struct Span: Sendable {
        let envelope: Range<Int>
        let bodyStructure: Range<Int>
    }
    private var storage: [UInt8] = []
    private var spans: [MessageUID: Span] = [:]

    public init() {}

    /// Adds a message's structure.
    public mutating func append(
        _ uid: MessageUID, envelope: UnsafeRawBufferPointer, bodyStructure: UnsafeRawBufferPointer
    ) {
        let start = storage.count
        storage.append(contentsOf: envelope)
        let middle = storage.count
        storage.append(contentsOf: bodyStructure)
        spans[uid] = Span(envelope: start..<middle, bodyStructure: middle..<storage.count)
    }

    public mutating func reserveCapacity(messages: Int, bytes: Int) {
        spans.reserveCapacity(messages)
        storage.reserveCapacity(bytes)
    }

    /// The message's ENVELOPE, or nil if none was kept.
    public func envelope(of uid: MessageUID) -> ArraySlice<UInt8>? { spans[uid].map { storage[$0.envelope] } }

    /// The message's BODYSTRUCTURE, or nil if none was kept.
    public func bodyStructure(of uid: MessageUID) -> ArraySlice<UInt8>? {
        spans[uid].map { storage[$0.bodyStructure] }
    }

    /// Whether a structure was kept for the message.
    public func contains(_ uid: MessageUID) -> Bool { spans[uid] != nil }

    /// The messages with a kept structure, ascending.
    public var uids: [MessageUID] { spans.keys.sorted() }

    public var isEmpty: Bool { spans.isEmpty }

    /// One message's structure as a value (tests, single lookups).
    public subscript(uid: MessageUID) -> ContentStructure? {
        guard let span = spans[uid] else { return nil }
        return ContentStructure(
            envelope: Array(storage[span.envelope]), bodyStructure: Array(storage[span.bodyStructure]))
    }
}
