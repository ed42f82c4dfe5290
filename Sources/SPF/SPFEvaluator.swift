public import DNSClient
import Foundation
import Synchronization

/// RFC 7208's `check_host()` over any `DNSResolving`, with the section 4.6.4 limits and an overall time limit.
///
/// Concurrency: a `Sendable` value; each `evaluate` call keeps its own counters, so one evaluator serves
/// any number of concurrent checks. It never blocks: all waiting is on the resolver.
public struct SPFEvaluator: Sendable {
    /// Processing limits (RFC 7208 4.6.4) and the overall time limit.
    public struct Limits: Hashable, Sendable {
        /// DNS-querying terms (`include`, `a`, `mx`, `ptr`, `exists`, `redirect`) per check; more is permerror.
        public var dnsLookups: Int
        /// Lookups answering NXDOMAIN or no data; more is permerror.
        public var voidLookups: Int
        /// MX names one `mx` may look at; more is permerror.
        public var mxNames: Int
        /// PTR names one `ptr` or `%{p}` looks at; the rest are ignored.
        public var ptrNames: Int
        /// The whole check's budget; running out gives temperror (RFC 7208 4.6.4 suggests at least 20 s).
        public var timeLimit: Duration

        public init(
            dnsLookups: Int = 10, voidLookups: Int = 2, mxNames: Int = 10, ptrNames: Int = 10,
            timeLimit: Duration = .seconds(20)
        ) {
            self.dnsLookups = dnsLookups
            self.voidLookups = voidLookups
            self.mxNames = mxNames
            self.ptrNames = ptrNames
            self.timeLimit = timeLimit
        }
    }

    /// The explanation used for `fail` when the record has no usable `exp=`; macros allowed.
    public static let standardExplanation = "%{o} does not designate %{c} as a permitted sender"

    let resolver: any DNSResolving
    public let limits: Limits
    let defaultExplanation: SPFMacroString?
    let defaultExplanationText: String
    let clock: any Clock<Duration>
    let timestamp: @Sendable () -> Int64

    /// An evaluator asking `resolver`.
    ///
    /// - Parameters:
    ///   - defaultExplanation: explanation text for `fail` without a usable `exp=` (macros are expanded).
    ///   - clock: measures `limits.timeLimit`.
    ///   - timestamp: seconds since 1970 for the `%{t}` macro.
    public init(
        resolver: some DNSResolving, limits: Limits = Limits(),
        defaultExplanation: String = SPFEvaluator.standardExplanation,
        clock: any Clock<Duration> = ContinuousClock(),
        timestamp: @escaping @Sendable () -> Int64 = SPFEvaluator.systemTimestamp
    ) {
        self.resolver = resolver
        self.limits = limits
        self.defaultExplanation = try? SPFMacroString.parse(Array(defaultExplanation.utf8), context: .explanation)
        self.defaultExplanationText = defaultExplanation
        self.clock = clock
        self.timestamp = timestamp
    }

    /// Seconds since 1970 from the system clock: the default source of `%{t}`.
    public static func systemTimestamp() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// Checks the MAIL FROM identity (RFC 7208 2.4); an empty `mailFrom` checks `postmaster@<helo>` (RFC 7208 2.4).
    ///
    /// - Parameters:
    ///   - ip: the SMTP client's address; an IPv4-mapped IPv6 address is treated as IPv4.
    ///   - mailFrom: the reverse-path without angle brackets, possibly empty.
    ///   - helo: the EHLO/HELO argument.
    ///   - receiver: this host's name, for `%{r}` and the `Received-SPF:` field.
    public func evaluate(ip: IPAddress, mailFrom: String, helo: String, receiver: String) async -> SPFResult {
        if mailFrom.isEmpty {
            return await check(
                identity: .mailFrom, ip: ip, sender: "postmaster@" + helo, mailFrom: mailFrom, helo: helo,
                receiver: receiver)
        }
        return await check(
            identity: .mailFrom, ip: ip, sender: mailFrom, mailFrom: mailFrom, helo: helo, receiver: receiver)
    }

    /// Checks the HELO identity (RFC 7208 2.3): `postmaster@<helo>`.
    public func evaluateHELO(ip: IPAddress, helo: String, receiver: String) async -> SPFResult {
        await check(identity: .helo, ip: ip, sender: "postmaster@" + helo, mailFrom: "", helo: helo, receiver: receiver)
    }

    private func check(
        identity: SPFResult.Identity, ip: IPAddress, sender: String, mailFrom: String, helo: String, receiver: String
    ) async -> SPFResult {
        let client = ip.unmappingIPv4
        let (localPart, domain) = Self.split(sender)
        let base = SPFResult(
            code: .none, identity: identity, clientIP: client, sender: sender, mailFrom: mailFrom, helo: helo,
            receiver: receiver)
        // RFC 7208 4.3: a malformed <domain> (empty or over-long label, not fully qualified, a literal) is "none".
        guard Self.isValidInitialDomain(domain) else { return base }
        // Answered from the resolver's cache alone when it can be: no DNS query means nothing to
        // time out, so the timer task (and its thread wake-ups) is spared for a sender seen before.
        let cacheOnly = CacheOnlyResolver(resolver)
        var quick = SPFCheck(
            evaluator: self, resolver: cacheOnly, ip: client, sender: sender, localPart: localPart,
            senderDomain: domain, helo: helo, receiver: receiver)
        let quickAnswer = await quick.run(domain: domain, base: base)
        if !cacheOnly.missed { return quickAnswer }
        let context = SPFCheck(
            evaluator: self, resolver: resolver, ip: client, sender: sender, localPart: localPart,
            senderDomain: domain, helo: helo, receiver: receiver)
        let timeLimit = limits.timeLimit
        let clock = self.clock
        return await withTaskGroup(of: SPFResult?.self) { group in
            group.addTask {
                var check = context
                return await check.run(domain: domain, base: base)
            }
            group.addTask {
                do {
                    try await clock.sleep(for: timeLimit)
                } catch {
                    return nil
                }
                var timedOut = base
                timedOut.code = .temperror
                timedOut.problem = "SPF evaluation exceeded \(timeLimit)"
                return timedOut
            }
            var answer = base
            for await result in group {
                if let result {
                    answer = result
                    group.cancelAll()
                    break
                }
            }
            return answer
        }
    }

    /// Splits `<sender>` at its last `@`; an empty local-part becomes `postmaster` (RFC 7208 4.3).
    static func split(_ sender: String) -> (localPart: String, domain: String) {
        guard let at = sender.lastIndex(of: "@") else { return ("postmaster", sender) }
        let local = String(sender[..<at])
        return (local.isEmpty ? "postmaster" : local, String(sender[sender.index(after: at)...]))
    }

    static func isValidInitialDomain(_ domain: String) -> Bool {
        guard !domain.hasPrefix("["), domain.utf8.count <= 254, let name = DNSName(domain) else { return false }
        return name.labels.count >= 2
    }
}

/// Why evaluation stops early.
enum SPFAbort: Error {
    case temporary(String)
    case permanent(String)
}

/// The state of one `check_host()` run: inputs plus the RFC 7208 4.6.4 counters.
struct SPFCheck {
    let evaluator: SPFEvaluator
    /// The evaluator's resolver, or a cache-only view of it.
    let resolver: any DNSResolving
    let ip: IPAddress
    let sender: String
    let localPart: String
    let senderDomain: String
    let helo: String
    let receiver: String
    var dnsLookups = 0
    var voidLookups = 0

    init(
        evaluator: SPFEvaluator, resolver: any DNSResolving, ip: IPAddress, sender: String, localPart: String,
        senderDomain: String, helo: String, receiver: String
    ) {
        self.evaluator = evaluator
        self.resolver = resolver
        self.ip = ip
        self.sender = sender
        self.localPart = localPart
        self.senderDomain = senderDomain
        self.helo = helo
        self.receiver = receiver
    }

    var limits: SPFEvaluator.Limits { evaluator.limits }

    /// What one record evaluation produced; `explanation` is the `exp=` of the record that failed.
    struct Outcome {
        var code: SPFResult.Code
        var mechanism: String?
        var problem: String?
        var explanation: (spec: SPFMacroString, domain: String)?

        static func error(_ abort: SPFAbort) -> Outcome {
            switch abort {
            case .temporary(let why): return Outcome(code: .temperror, problem: why)
            case .permanent(let why): return Outcome(code: .permerror, problem: why)
            }
        }
    }

    mutating func run(domain: String, base: SPFResult) async -> SPFResult {
        let outcome = await checkHost(domain)
        var result = base
        result.code = outcome.code
        result.mechanism = outcome.mechanism
        result.problem = outcome.problem
        if outcome.code == .fail {
            result.explanation = await explanation(for: outcome)
        }
        return result
    }

    /// RFC 7208 4: record lookup, selection and evaluation for `domain`.
    mutating func checkHost(_ domain: String) async -> Outcome {
        // The root is never an SPF domain (an expansion can come out empty).
        guard let name = DNSName(domain), !name.labels.isEmpty else { return Outcome(code: .none) }
        let record: SPFRecord
        switch await resolver.lookup(name, .txt) {
        case .failure(let failure):
            return Outcome(code: .temperror, problem: "\(failure) (TXT \(domain))")
        case .noData, .nameError:
            return Outcome(code: .none)
        case .records(let records):
            // RFC 7208 4.5: strings of one TXT record are joined without separators; exactly one may be v=spf1.
            let candidates = records.compactMap { data -> [UInt8]? in
                guard case .txt(let strings) = data else { return nil }
                let joined = Array(strings.joined())
                return SPFRecord.isVersion1(joined) ? joined : nil
            }
            guard let text = candidates.first else { return Outcome(code: .none) }
            guard candidates.count == 1 else {
                return Outcome(code: .permerror, problem: "\(domain) publishes more than one SPF record")
            }
            do {
                record = try SPFRecord.parse(text)
            } catch {
                return Outcome(code: .permerror, problem: "\(domain): \(error)")
            }
        }
        do {
            for directive in record.directives {
                if Task.isCancelled { throw SPFAbort.temporary("evaluation cancelled") }
                if directive.mechanism.queriesDNS { try countLookup() }
                guard try await matches(directive.mechanism, domain: domain) else { continue }
                let code = Self.code(for: directive.qualifier)
                return Outcome(
                    code: code, mechanism: directive.description,
                    explanation: code == .fail ? record.explanation.map { ($0, domain) } : nil)
            }
            // RFC 7208 6.1: redirect applies only when nothing matched and the record has no "all".
            if let redirect = record.redirect,
                !record.directives.contains(where: { $0.mechanism == .all })
            {
                try countLookup()
                let target = try await expandDomain(redirect, domain: domain)
                let outcome = await checkHost(target)
                if outcome.code == .none {
                    return Outcome(code: .permerror, problem: "redirect target \(target) has no SPF record")
                }
                return outcome
            }
        } catch let abort as SPFAbort {
            return .error(abort)
        } catch {
            return Outcome(code: .temperror, problem: "\(error)")
        }
        // RFC 7208 4.7: nothing matched, no redirect.
        return Outcome(code: .neutral)
    }

    static func code(for qualifier: SPFRecord.Qualifier) -> SPFResult.Code {
        switch qualifier {
        case .pass: return .pass
        case .fail: return .fail
        case .softfail: return .softfail
        case .neutral: return .neutral
        }
    }

    mutating func countLookup() throws(SPFAbort) {
        dnsLookups += 1
        guard dnsLookups <= limits.dnsLookups else {
            throw .permanent("more than \(limits.dnsLookups) DNS-querying terms")
        }
    }

    /// A lookup made by a term: a failure is temperror, an empty answer counts as a void lookup.
    mutating func termLookup(_ name: DNSName, _ type: DNSRecordType) async throws(SPFAbort) -> [DNSRecordData] {
        switch await resolver.lookup(name, type) {
        case .records(let records):
            return records
        case .noData, .nameError:
            try countVoidLookup()
            return []
        case .failure(let failure):
            throw .temporary("\(failure) (\(type) \(name))")
        }
    }

    mutating func countVoidLookup() throws(SPFAbort) {
        voidLookups += 1
        guard voidLookups <= limits.voidLookups else {
            throw .permanent("more than \(limits.voidLookups) void DNS lookups")
        }
    }

    var addressType: DNSRecordType { ip.isIPv4 ? .a : .aaaa }

    /// RFC 7208 5: whether `mechanism` matches the client.
    mutating func matches(_ mechanism: SPFRecord.Mechanism, domain: String) async throws -> Bool {
        switch mechanism {
        case .all:
            return true
        case .ip4(let network, let prefix), .ip6(let network, let prefix):
            return network.contains(ip, prefixLength: prefix)
        case .include(let spec):
            let target = try await expandDomain(spec, domain: domain)
            // RFC 7208 5.2: the included check's result decides only whether "include" matches.
            let outcome = await checkHost(target)
            switch outcome.code {
            case .pass: return true
            case .fail, .softfail, .neutral: return false
            case .temperror: throw SPFAbort.temporary(outcome.problem ?? "temporary error in include:\(target)")
            case .permerror: throw SPFAbort.permanent(outcome.problem ?? "permanent error in include:\(target)")
            case .none: throw SPFAbort.permanent("include:\(target) has no SPF record")
            }
        case .a(let spec, let ip4Prefix, let ip6Prefix):
            guard let name = try await targetName(spec, domain: domain) else { return false }
            let prefix = ip.isIPv4 ? ip4Prefix : ip6Prefix
            return try await termLookup(name, addressType).contains {
                Self.address(of: $0)?.contains(ip, prefixLength: prefix) == true
            }
        case .mx(let spec, let ip4Prefix, let ip6Prefix):
            guard let name = try await targetName(spec, domain: domain) else { return false }
            let exchanges = try await termLookup(name, .mx).compactMap { data -> DNSName? in
                guard case .mx(_, let exchange) = data else { return nil }
                return exchange
            }
            // RFC 7208 4.6.4: more than 10 MX names is permerror.
            guard exchanges.count <= limits.mxNames else {
                throw SPFAbort.permanent("\(name) has more than \(limits.mxNames) MX records")
            }
            let prefix = ip.isIPv4 ? ip4Prefix : ip6Prefix
            var failure: DNSFailure?
            // RFC 7505: a null MX (".") names no host.
            for exchange in exchanges where exchange != .root {
                switch await resolver.lookup(exchange, addressType) {
                case .records(let records):
                    if records.contains(where: { Self.address(of: $0)?.contains(ip, prefixLength: prefix) == true }) {
                        return true
                    }
                case .noData, .nameError: continue
                case .failure(let error): failure = error
                }
            }
            if let failure { throw SPFAbort.temporary("\(failure) (MX host of \(name))") }
            return false
        case .ptr(let spec):
            guard let name = try await targetName(spec, domain: domain) else { return false }
            // RFC 7208 5.5: a PTR lookup error means no match; a validated name at or below the target matches.
            return try await validatedNames(within: name, countsVoid: true).isEmpty == false
        case .exists(let spec):
            guard let name = try await targetName(spec, domain: domain) else { return false }
            // RFC 7208 5.7: always an A query, whatever the client's address family.
            return try await !termLookup(name, .a).isEmpty
        }
    }

    /// The expanded target of a mechanism, or the current domain; `nil` when the result is not a valid
    /// DNS name (RFC 7208 4.8: such a mechanism does not match rather than querying garbage).
    mutating func targetName(_ spec: SPFMacroString?, domain: String) async throws(SPFAbort) -> DNSName? {
        guard let spec else { return DNSName(domain) }
        guard let name = DNSName(try await expandDomain(spec, domain: domain)), !name.labels.isEmpty else { return nil }
        return name
    }

    static func address(of data: DNSRecordData) -> IPAddress? {
        switch data {
        case .a(let address), .aaaa(let address): return address
        default: return nil
        }
    }

    /// RFC 7208 5.5: the client's PTR names (first `ptrNames`) at or below `within` that resolve back to it.
    mutating func validatedNames(within: DNSName?, countsVoid: Bool) async throws(SPFAbort) -> [DNSName] {
        let names: [DNSName]
        switch await resolver.lookup(Self.reverseName(ip), .ptr) {
        case .records(let records):
            names = records.compactMap { data -> DNSName? in
                guard case .ptr(let name) = data else { return nil }
                return name
            }
        case .noData, .nameError:
            if countsVoid { try countVoidLookup() }
            return []
        case .failure:
            return []
        }
        var validated: [DNSName] = []
        for name in names.prefix(limits.ptrNames) {
            if let within, !name.isSubdomain(of: within) { continue }
            // RFC 7208 5.5: a DNS error on this lookup skips the name.
            guard case .records(let records) = await resolver.lookup(name, addressType) else { continue }
            if records.contains(where: { Self.address(of: $0) == ip }) { validated.append(name) }
        }
        return validated
    }

    /// `in-addr.arpa` or `ip6.arpa` name for the client (RFC 1035 3.5, RFC 3596 2.5).
    static func reverseName(_ ip: IPAddress) -> DNSName {
        var labels: [[UInt8]] = []
        switch ip {
        case .v4:
            labels = ip.bytes.reversed().map { Array(String($0).utf8) } + [Array("in-addr".utf8), Array("arpa".utf8)]
        case .v6:
            for byte in ip.bytes.reversed() {
                labels.append([hexDigit(byte & 0x0F, uppercase: false)])
                labels.append([hexDigit(byte >> 4, uppercase: false)])
            }
            labels += [Array("ip6".utf8), Array("arpa".utf8)]
        }
        return DNSName(labels: labels) ?? .root
    }

    static func hexDigit(_ nibble: UInt8, uppercase: Bool) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : (uppercase ? UInt8(ascii: "A") : UInt8(ascii: "a")) + nibble - 10
    }
}

/// A resolver that answers only from another's cache and notes any question it could not answer;
/// a check run through it that missed nothing is the check's true answer.
final class CacheOnlyResolver: DNSResolving {
    private let base: any DNSResolving
    private let missedAny = Mutex(false)

    init(_ base: any DNSResolving) { self.base = base }

    var missed: Bool { missedAny.withLock { $0 } }

    func lookup(_ name: DNSName, _ type: DNSRecordType) async -> DNSLookupResult {
        if let cached = base.cachedResult(name, type) { return cached }
        missedAny.withLock { $0 = true }
        return .failure(.timeout)
    }
}
