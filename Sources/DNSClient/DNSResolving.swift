/// Why a lookup produced no usable answer although the name may exist.
public enum DNSFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// No acceptable answer within the time and attempts allowed.
    case timeout
    /// The server answered with this response code (SERVFAIL, REFUSED, ...).
    case serverError(DNSResponseCode)
    /// The answer was not a valid DNS message or did not answer our question.
    case malformedResponse(String)
    /// The socket could not be opened or the connection failed.
    case transport(String)
    /// A CNAME chain was longer than allowed or looped.
    case cnameChainTooLong
    /// The name cannot be queried (an empty or over-long label).
    case invalidName

    public var description: String {
        switch self {
        case .timeout: return "DNS query timed out"
        case .serverError(let code): return "DNS server answered with rcode \(code.rawValue)"
        case .malformedResponse(let why): return "malformed DNS answer: \(why)"
        case .transport(let why): return "DNS transport error: \(why)"
        case .cnameChainTooLong: return "CNAME chain too long"
        case .invalidName: return "invalid DNS name"
        }
    }
}

/// The outcome of one lookup, keeping apart what SPF (RFC 7208 2.6, 4.6.4) must keep apart.
public enum DNSLookupResult: Hashable, Sendable {
    /// Records of the type asked, after any CNAME chain; never empty.
    case records([DNSRecordData])
    /// The name exists but has no records of that type (NOERROR, no answer: RFC 2308 2.2).
    case noData
    /// The name does not exist (NXDOMAIN, RFC 2308 2.1).
    case nameError
    /// The server failed, timed out or answered garbage.
    case failure(DNSFailure)

    /// The records, or an empty array for no-data and NXDOMAIN; `nil` for a failure.
    public var recordsOrEmpty: [DNSRecordData]? {
        switch self {
        case .records(let records): return records
        case .noData, .nameError: return []
        case .failure: return nil
        }
    }
}

/// Something that answers DNS questions: the stub resolver, or an in-memory zone in tests.
///
/// Implementations must be safe to call concurrently and must not block the calling thread.
public protocol DNSResolving: Sendable {
    /// Looks up records of `type` for `name`, following CNAMEs.
    func lookup(_ name: DNSName, _ type: DNSRecordType) async -> DNSLookupResult
    /// The answer `lookup` would give from what it already knows, without asking anyone; nil
    /// when it would have to ask (or keeps no cache).
    func cachedResult(_ name: DNSName, _ type: DNSRecordType) -> DNSLookupResult?
}

extension DNSResolving {
    public func cachedResult(_ name: DNSName, _ type: DNSRecordType) -> DNSLookupResult? { nil }
}
