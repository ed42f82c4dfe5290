/// A DNS resource record type (RFC 1035 3.2.2, RFC 3596 2.1).
public struct DNSRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSRecordType(rawValue: 1)
    public static let ns = DNSRecordType(rawValue: 2)
    public static let cname = DNSRecordType(rawValue: 5)
    public static let soa = DNSRecordType(rawValue: 6)
    public static let ptr = DNSRecordType(rawValue: 12)
    public static let mx = DNSRecordType(rawValue: 15)
    public static let txt = DNSRecordType(rawValue: 16)
    public static let aaaa = DNSRecordType(rawValue: 28)
    public static let opt = DNSRecordType(rawValue: 41)

    public var description: String {
        switch self {
        case .a: return "A"
        case .ns: return "NS"
        case .cname: return "CNAME"
        case .soa: return "SOA"
        case .ptr: return "PTR"
        case .mx: return "MX"
        case .txt: return "TXT"
        case .aaaa: return "AAAA"
        case .opt: return "OPT"
        default: return "TYPE\(rawValue)"
        }
    }
}

/// The data of one resource record, decoded for the types the resolver understands.
public enum DNSRecordData: Hashable, Sendable {
    /// An IPv4 address (type A).
    case a(IPAddress)
    /// An IPv6 address (type AAAA).
    case aaaa(IPAddress)
    /// A mail exchanger: preference and host (RFC 1035 3.3.9).
    case mx(preference: UInt16, exchange: DNSName)
    /// The character-strings of a TXT record, each 0...255 bytes, unjoined (RFC 1035 3.3.14).
    case txt([[UInt8]])
    /// A PTR target.
    case ptr(DNSName)
    /// A CNAME target.
    case cname(DNSName)
    /// A name server (NS).
    case ns(DNSName)
    /// Start of authority; `minimum` bounds negative caching (RFC 2308 4).
    case soa(SOA)
    /// Any other type, kept as raw bytes.
    case other(type: DNSRecordType, bytes: [UInt8])

    /// SOA fields (RFC 1035 3.3.13).
    public struct SOA: Hashable, Sendable {
        public var primary: DNSName
        public var mailbox: DNSName
        public var serial: UInt32
        public var refresh: UInt32
        public var retry: UInt32
        public var expire: UInt32
        public var minimum: UInt32

        public init(
            primary: DNSName, mailbox: DNSName, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32,
            minimum: UInt32
        ) {
            self.primary = primary
            self.mailbox = mailbox
            self.serial = serial
            self.refresh = refresh
            self.retry = retry
            self.expire = expire
            self.minimum = minimum
        }
    }

    /// The record type this data belongs to.
    public var type: DNSRecordType {
        switch self {
        case .a: return .a
        case .aaaa: return .aaaa
        case .mx: return .mx
        case .txt: return .txt
        case .ptr: return .ptr
        case .cname: return .cname
        case .ns: return .ns
        case .soa: return .soa
        case .other(let type, _): return type
        }
    }
}

/// One resource record (RFC 1035 4.1.3).
public struct DNSRecord: Hashable, Sendable {
    public var name: DNSName
    /// The class; 1 (IN) for everything the resolver asks. For OPT it is the UDP payload size (RFC 6891 6.1.2).
    public var recordClass: UInt16
    public var ttl: UInt32
    public var data: DNSRecordData

    public init(name: DNSName, recordClass: UInt16 = 1, ttl: UInt32, data: DNSRecordData) {
        self.name = name
        self.recordClass = recordClass
        self.ttl = ttl
        self.data = data
    }
}

/// One question (RFC 1035 4.1.2).
public struct DNSQuestion: Hashable, Sendable {
    public var name: DNSName
    public var type: DNSRecordType
    public var questionClass: UInt16

    public init(name: DNSName, type: DNSRecordType, questionClass: UInt16 = 1) {
        self.name = name
        self.type = type
        self.questionClass = questionClass
    }
}

/// A DNS response code (RFC 1035 4.1.1).
public struct DNSResponseCode: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x0F }

    public static let noError = DNSResponseCode(rawValue: 0)
    public static let formatError = DNSResponseCode(rawValue: 1)
    public static let serverFailure = DNSResponseCode(rawValue: 2)
    public static let nameError = DNSResponseCode(rawValue: 3)
    public static let notImplemented = DNSResponseCode(rawValue: 4)
    public static let refused = DNSResponseCode(rawValue: 5)
}

/// A whole DNS message: header, questions and the three record sections (RFC 1035 4.1).
///
/// `DNSMessage.decode(_:)` validates strictly; `encode()` produces bytes that decode to an equal value.
public struct DNSMessage: Hashable, Sendable {
    public var id: UInt16
    public var isResponse: Bool
    public var opcode: UInt8
    public var isAuthoritative: Bool
    public var isTruncated: Bool
    public var recursionDesired: Bool
    public var recursionAvailable: Bool
    public var responseCode: DNSResponseCode
    public var questions: [DNSQuestion]
    public var answers: [DNSRecord]
    public var authorities: [DNSRecord]
    public var additionals: [DNSRecord]

    public init(
        id: UInt16, isResponse: Bool = false, opcode: UInt8 = 0, isAuthoritative: Bool = false,
        isTruncated: Bool = false, recursionDesired: Bool = true, recursionAvailable: Bool = false,
        responseCode: DNSResponseCode = .noError, questions: [DNSQuestion] = [], answers: [DNSRecord] = [],
        authorities: [DNSRecord] = [], additionals: [DNSRecord] = []
    ) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode & 0x0F
        self.isAuthoritative = isAuthoritative
        self.isTruncated = isTruncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.responseCode = responseCode
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
    }

    /// A recursive query for one name and type, with an EDNS(0) OPT record offering `udpPayloadSize` bytes.
    public static func query(id: UInt16, name: DNSName, type: DNSRecordType, udpPayloadSize: UInt16 = 1232)
        -> DNSMessage
    {
        DNSMessage(
            id: id, questions: [DNSQuestion(name: name, type: type)],
            additionals: [
                DNSRecord(name: .root, recordClass: udpPayloadSize, ttl: 0, data: .other(type: .opt, bytes: []))
            ]
        )
    }
}
