public import NIOCore
public import NIOPosix

/// An asynchronous stub resolver: asks one recursive server over UDP (TCP when truncated), follows
/// CNAME chains and caches answers, positive and negative, for their TTL.
///
/// Concurrency: `Sendable`; lookups run on `eventLoopGroup` and never block it. Each lookup waits at most
/// `configuration.timeout` per attempt, `configuration.attempts` times, per name in a CNAME chain.
public final class DNSStubResolver: DNSResolving {
    /// The most CNAMEs followed for one lookup.
    public static let maximumCNAMEChain = 8

    public let configuration: DNSResolverConfiguration
    let eventLoopGroup: any EventLoopGroup
    let cache: DNSCache?
    let now: @Sendable () -> NIODeadline

    /// A resolver asking `configuration.server`.
    ///
    /// - Parameters:
    ///   - cache: where answers are kept; `nil` disables caching.
    ///   - now: the clock TTLs are measured against (tests pass a manual one).
    public init(
        configuration: DNSResolverConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        cache: DNSCache? = DNSCache(),
        now: @escaping @Sendable () -> NIODeadline = { .now() }
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.cache = cache
        self.now = now
    }

    public func cachedResult(_ name: DNSName, _ type: DNSRecordType) -> DNSLookupResult? {
        cache?.result(for: name, type, now: now())
    }

    public func lookup(_ name: DNSName, _ type: DNSRecordType) async -> DNSLookupResult {
        if let cached = cache?.result(for: name, type, now: now()) { return cached }
        var current = name
        var seen: Set<DNSName> = [name]
        var minimumTTL = UInt32.max
        for _ in 0...Self.maximumCNAMEChain {
            let query = DNSMessage.query(id: UInt16.random(in: 0...UInt16.max), name: current, type: type)
            let exchanged = await exchange(query)
            let answer: DNSMessage
            switch exchanged {
            case .failure(let failure): return .failure(failure)
            case .success(let message): answer = message
            }
            let step = Self.interpret(answer, name: current, type: type)
            minimumTTL = min(minimumTTL, step.ttl)
            switch step.outcome {
            case .done(let result):
                cache?.store(result, for: name, type, ttlSeconds: minimumTTL, now: now())
                return result
            case .followCNAME(let target):
                // RFC 1034 3.6.2: the server gave only the alias; ask for its target.
                guard seen.insert(target).inserted else { return .failure(.cnameChainTooLong) }
                current = target
            }
        }
        return .failure(.cnameChainTooLong)
    }

    private func exchange(_ query: DNSMessage) async -> Result<DNSMessage, DNSFailure> {
        var last = DNSFailure.timeout
        for _ in 0..<configuration.attempts {
            let result = await DNSTransport.exchange(
                query, server: configuration.server, timeout: configuration.timeout, on: eventLoopGroup.next())
            switch result {
            case .success: return result
            case .failure(let failure): last = failure
            }
            if Task.isCancelled { break }
        }
        return .failure(last)
    }

    enum Outcome: Equatable {
        case done(DNSLookupResult)
        case followCNAME(DNSName)
    }

    /// Reads one answer for `name`/`type`: the records (through any CNAMEs in the answer), the negative
    /// answer with its RFC 2308 5 TTL, or a CNAME target still to ask.
    static func interpret(_ answer: DNSMessage, name: DNSName, type: DNSRecordType) -> (outcome: Outcome, ttl: UInt32) {
        // RFC 2308 5: a negative answer lives for min(SOA TTL, SOA MINIMUM); without an SOA it is not cached.
        let negativeTTL =
            answer.authorities.lazy.compactMap { record -> UInt32? in
                guard case .soa(let soa) = record.data else { return nil }
                return min(effectiveTTL(record.ttl), soa.minimum)
            }.first ?? 0
        switch answer.responseCode {
        case .noError, .nameError: break
        default: return (.done(.failure(.serverError(answer.responseCode))), 0)
        }
        var current = name
        var ttl = UInt32.max
        var hops = 0
        while true {
            let matching = answer.answers.filter { $0.name == current && $0.data.type == type }
            if !matching.isEmpty {
                for record in matching { ttl = min(ttl, effectiveTTL(record.ttl)) }
                return (.done(.records(matching.map(\.data))), ttl)
            }
            guard type != .cname,
                let alias = answer.answers.first(where: { $0.name == current && $0.data.type == .cname }),
                case .cname(let target) = alias.data
            else { break }
            hops += 1
            guard hops <= maximumCNAMEChain else { return (.done(.failure(.cnameChainTooLong)), 0) }
            ttl = min(ttl, effectiveTTL(alias.ttl))
            current = target
        }
        if answer.responseCode == .nameError { return (.done(.nameError), min(ttl, negativeTTL)) }
        if current != name && answer.authorities.isEmpty {
            // An alias without its target's data or a negative answer for it: ask for the target.
            return (.followCNAME(current), ttl)
        }
        return (.done(.noData), min(ttl, negativeTTL))
    }

    /// RFC 2181 8: a TTL with the top bit set is treated as zero.
    static func effectiveTTL(_ ttl: UInt32) -> UInt32 { ttl & 0x8000_0000 != 0 ? 0 : ttl }
}
