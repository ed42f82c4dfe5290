/// Why a DNS message was refused by the decoder or encoder.
public enum DNSMessageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The message ends before a field it announces.
    case truncated
    /// A compression pointer does not point strictly backwards (RFC 1035 4.1.4; loops are refused this way).
    case compressionPointerNotBackwards
    /// A name follows more compression pointers than allowed.
    case tooManyCompressionPointers
    /// A label type other than 0b00 (a length) or 0b11 (a pointer) (RFC 6891 5 retired the others).
    case unsupportedLabelType
    /// A name longer than 255 bytes in wire form.
    case nameTooLong
    /// RDATA whose length disagrees with its content for its type.
    case badRecordData(DNSRecordType)
    /// Bytes follow the last announced record.
    case trailingBytes
    /// The message is longer than 65,535 bytes, or a TXT string or RDATA is too long to encode.
    case tooLong

    public var description: String {
        switch self {
        case .truncated: return "DNS message truncated"
        case .compressionPointerNotBackwards: return "DNS compression pointer does not point backwards"
        case .tooManyCompressionPointers: return "DNS name uses too many compression pointers"
        case .unsupportedLabelType: return "DNS name uses an unsupported label type"
        case .nameTooLong: return "DNS name longer than 255 bytes"
        case .badRecordData(let type): return "DNS \(type) record data is malformed"
        case .trailingBytes: return "DNS message has bytes after its last record"
        case .tooLong: return "DNS message or field too long"
        }
    }
}

extension DNSMessage {
    /// Most compression pointers one name may follow; real encoders need a handful.
    static let maximumPointersPerName = 32
    /// A message is at most 65,535 bytes (the TCP length prefix, RFC 1035 4.2.2).
    public static let maximumLength = 65_535

    /// Decodes and validates one message.
    ///
    /// Total: any bytes give a message or a `DNSMessageError`, in time linear in the input. Every length
    /// is checked before it is used; compression pointers must point strictly before the previous
    /// jump's target, so a name cannot loop; record counts are checked against the bytes left.
    public static func decode(_ bytes: some Collection<UInt8>) throws(DNSMessageError) -> DNSMessage {
        var reader = Reader(bytes: Array(bytes))
        return try reader.readMessage()
    }

    /// Decodes from raw memory (the fuzz and NIO entry point).
    public static func decode(_ buffer: UnsafeRawBufferPointer) throws(DNSMessageError) -> DNSMessage {
        var reader = Reader(bytes: Array(buffer))
        return try reader.readMessage()
    }

    /// Encodes the message without name compression.
    ///
    /// Throws `.tooLong` if a TXT string exceeds 255 bytes, RDATA exceeds 65,535 bytes or the whole
    /// message exceeds 65,535 bytes.
    public func encode() throws(DNSMessageError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        func u16(_ value: UInt16) {
            out.append(UInt8(truncatingIfNeeded: value >> 8))
            out.append(UInt8(truncatingIfNeeded: value))
        }
        func u32(_ value: UInt32) {
            u16(UInt16(truncatingIfNeeded: value >> 16))
            u16(UInt16(truncatingIfNeeded: value))
        }
        func name(_ name: DNSName) {
            for label in name.labels {
                out.append(UInt8(truncatingIfNeeded: label.count))
                out += label
            }
            out.append(0)
        }
        func count(_ n: Int) throws(DNSMessageError) {
            guard n <= 0xFFFF else { throw .tooLong }
            u16(UInt16(n))
        }
        u16(id)
        var flags: UInt16 = 0
        if isResponse { flags |= 0x8000 }
        flags |= UInt16(opcode & 0x0F) << 11
        if isAuthoritative { flags |= 0x0400 }
        if isTruncated { flags |= 0x0200 }
        if recursionDesired { flags |= 0x0100 }
        if recursionAvailable { flags |= 0x0080 }
        flags |= UInt16(responseCode.rawValue)
        u16(flags)
        try count(questions.count)
        try count(answers.count)
        try count(authorities.count)
        try count(additionals.count)
        for question in questions {
            name(question.name)
            u16(question.type.rawValue)
            u16(question.questionClass)
        }
        for record in answers + authorities + additionals {
            name(record.name)
            u16(record.data.type.rawValue)
            u16(record.recordClass)
            u32(record.ttl)
            let lengthAt = out.count
            u16(0)
            switch record.data {
            case .a(let address), .aaaa(let address):
                out += address.bytes
            case .mx(let preference, let exchange):
                u16(preference)
                name(exchange)
            case .txt(let strings):
                for string in strings {
                    guard string.count <= 255 else { throw .tooLong }
                    out.append(UInt8(string.count))
                    out += string
                }
            case .ptr(let target), .cname(let target), .ns(let target):
                name(target)
            case .soa(let soa):
                name(soa.primary)
                name(soa.mailbox)
                for value in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] { u32(value) }
            case .other(_, let bytes):
                out += bytes
            }
            let length = out.count - lengthAt - 2
            guard length <= 0xFFFF else { throw .tooLong }
            out[lengthAt] = UInt8(truncatingIfNeeded: length >> 8)
            out[lengthAt + 1] = UInt8(truncatingIfNeeded: length)
        }
        guard out.count <= Self.maximumLength else { throw .tooLong }
        return out
    }

    /// Fuzz entry point: decoding must not trap, and a decoded message must survive encode and decode unchanged.
    public static func fuzz(_ bytes: UnsafeRawBufferPointer) {
        guard let message = try? decode(bytes) else { return }
        guard let encoded = try? message.encode() else { return }
        let again = try? decode(encoded)
        precondition(again == message, "DNS round trip changed the message")
    }
}

/// A bounds-checked cursor over one message.
private struct Reader {
    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func readMessage() throws(DNSMessageError) -> DNSMessage {
        guard bytes.count <= DNSMessage.maximumLength else { throw .tooLong }
        let id = try u16()
        let flags = try u16()
        let questionCount = Int(try u16())
        let answerCount = Int(try u16())
        let authorityCount = Int(try u16())
        let additionalCount = Int(try u16())
        // A question takes at least 5 bytes and a record 11: refuse counts the bytes cannot hold before looping.
        let remaining = bytes.count - position
        guard questionCount * 5 + (answerCount + authorityCount + additionalCount) * 11 <= remaining else {
            throw .truncated
        }
        var message = DNSMessage(
            id: id, isResponse: flags & 0x8000 != 0, opcode: UInt8(truncatingIfNeeded: flags >> 11) & 0x0F,
            isAuthoritative: flags & 0x0400 != 0, isTruncated: flags & 0x0200 != 0,
            recursionDesired: flags & 0x0100 != 0, recursionAvailable: flags & 0x0080 != 0,
            responseCode: DNSResponseCode(rawValue: UInt8(truncatingIfNeeded: flags & 0x000F))
        )
        message.questions.reserveCapacity(questionCount)
        for _ in 0..<questionCount {
            let name = try readName()
            let type = DNSRecordType(rawValue: try u16())
            let questionClass = try u16()
            message.questions.append(DNSQuestion(name: name, type: type, questionClass: questionClass))
        }
        message.answers = try readRecords(answerCount)
        message.authorities = try readRecords(authorityCount)
        message.additionals = try readRecords(additionalCount)
        guard position == bytes.count else { throw .trailingBytes }
        return message
    }

    mutating func readRecords(_ count: Int) throws(DNSMessageError) -> [DNSRecord] {
        var records: [DNSRecord] = []
        records.reserveCapacity(count)
        for _ in 0..<count { records.append(try readRecord()) }
        return records
    }

    mutating func readRecord() throws(DNSMessageError) -> DNSRecord {
        let name = try readName()
        let type = DNSRecordType(rawValue: try u16())
        let recordClass = try u16()
        let ttl = try u32()
        let length = Int(try u16())
        guard length <= bytes.count - position else { throw .truncated }
        let end = position + length
        let data: DNSRecordData
        switch type {
        case .a:
            guard length == 4 else { throw .badRecordData(type) }
            data = .a(.v4(try u32()))
        case .aaaa:
            guard length == 16, let v6 = IPAddress.IPv6Bytes(Array(bytes[position..<end])) else {
                throw .badRecordData(type)
            }
            position = end
            data = .aaaa(.v6(v6))
        case .mx:
            guard length >= 3 else { throw .badRecordData(type) }
            let preference = try u16()
            data = .mx(preference: preference, exchange: try readName())
        case .ptr:
            data = .ptr(try readName())
        case .cname:
            data = .cname(try readName())
        case .ns:
            data = .ns(try readName())
        case .soa:
            let primary = try readName()
            let mailbox = try readName()
            guard end - position == 20 else { throw .badRecordData(type) }
            data = .soa(
                .init(
                    primary: primary, mailbox: mailbox, serial: try u32(), refresh: try u32(), retry: try u32(),
                    expire: try u32(), minimum: try u32()))
        case .txt:
            // RFC 1035 3.3.14: one or more <character-string>s filling the RDATA exactly.
            guard length >= 1 else { throw .badRecordData(type) }
            var strings: [[UInt8]] = []
            while position < end {
                let stringLength = Int(bytes[position])
                guard stringLength < end - position else { throw .badRecordData(type) }
                strings.append(Array(bytes[(position + 1)..<(position + 1 + stringLength)]))
                position += 1 + stringLength
            }
            data = .txt(strings)
        default:
            data = .other(type: type, bytes: Array(bytes[position..<end]))
            position = end
        }
        guard position == end else { throw .badRecordData(type) }
        return DNSRecord(name: name, recordClass: recordClass, ttl: ttl, data: data)
    }

    /// Reads a possibly compressed name at `position`, leaving `position` after its in-place bytes.
    mutating func readName() throws(DNSMessageError) -> DNSName {
        var labels: [[UInt8]] = []
        var cursor = position
        var wireLength = 1
        var pointers = 0
        // RFC 1035 4.1.4 lets a pointer name an earlier occurrence; each jump must land strictly before the
        // previous one (and the first before the pointer itself), so names terminate however they are forged.
        var jumpLimit = position
        var resumeAt: Int?
        while true {
            guard cursor < bytes.count else { throw .truncated }
            let length = bytes[cursor]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    position = resumeAt ?? (cursor + 1)
                    return DNSName(uncheckedLabels: labels)
                }
                let count = Int(length)
                guard count < bytes.count - cursor else { throw .truncated }
                wireLength += count + 1
                guard wireLength <= DNSName.maximumWireLength else { throw .nameTooLong }
                labels.append(Array(bytes[(cursor + 1)...(cursor + count)]))
                cursor += count + 1
            case 0xC0:
                guard cursor + 1 < bytes.count else { throw .truncated }
                let target = Int(length & 0x3F) << 8 | Int(bytes[cursor + 1])
                if resumeAt == nil {
                    resumeAt = cursor + 2
                    jumpLimit = cursor
                }
                guard target < jumpLimit else { throw .compressionPointerNotBackwards }
                pointers += 1
                guard pointers <= DNSMessage.maximumPointersPerName else { throw .tooManyCompressionPointers }
                jumpLimit = target
                cursor = target
            default:
                throw .unsupportedLabelType
            }
        }
    }

    mutating func u16() throws(DNSMessageError) -> UInt16 {
        guard bytes.count - position >= 2 else { throw .truncated }
        defer { position += 2 }
        return UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
    }

    mutating func u32() throws(DNSMessageError) -> UInt32 {
        let high = UInt32(try u16())
        return high << 16 | UInt32(try u16())
    }
}
