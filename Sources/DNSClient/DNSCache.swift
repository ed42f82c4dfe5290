public import NIOCore
import Synchronization

/// A bounded cache of lookup results that honours TTLs, including negative answers (RFC 2308 5).
///
/// Thread-safe. When full, expired entries go first, then the entries closest to expiry. Failures are
/// not cached: a timed-out server should be asked again.
public final class DNSCache: Sendable {
    private struct Key: Hashable {
        var name: DNSName
        var type: DNSRecordType
    }
    private struct Entry {
        var result: DNSLookupResult
        var expires: NIODeadline
    }

    /// The most entries kept.
    public let capacity: Int
    /// TTLs above this are shortened to it (RFC 2181 8 allows a cap; a day bounds stale data).
    public let maximumTTL: TimeAmount
    private let entries: Mutex<[Key: Entry]>

    /// A cache holding at most `capacity` answers, each for at most `maximumTTL`.
    public init(capacity: Int = 10_000, maximumTTL: TimeAmount = .hours(24)) {
        self.capacity = max(0, capacity)
        self.maximumTTL = maximumTTL
        self.entries = Mutex([:])
    }

    /// The cached result for `name` and `type` if it has not expired at `now`.
    public func result(for name: DNSName, _ type: DNSRecordType, now: NIODeadline) -> DNSLookupResult? {
        entries.withLock { entries in
            let key = Key(name: name, type: type)
            guard let entry = entries[key] else { return nil }
            guard entry.expires > now else {
                entries[key] = nil
                return nil
            }
            return entry.result
        }
    }

    /// Stores `result` for `ttlSeconds` from `now`; a TTL of zero or a failure stores nothing.
    public func store(
        _ result: DNSLookupResult, for name: DNSName, _ type: DNSRecordType, ttlSeconds: UInt32, now: NIODeadline
    ) {
        if case .failure = result { return }
        guard ttlSeconds > 0, capacity > 0 else { return }
        let ttl = min(TimeAmount.seconds(Int64(ttlSeconds)), maximumTTL)
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= capacity {
                    // Still full: drop the tenth of entries that expire soonest.
                    let victims = entries.sorted { $0.value.expires < $1.value.expires }.prefix(max(1, capacity / 10))
                    for victim in victims { entries[victim.key] = nil }
                }
            }
            entries[Key(name: name, type: type)] = Entry(result: result, expires: now + ttl)
        }
    }

    /// How many entries are held, expired or not.
    public var count: Int { entries.withLock { $0.count } }
}
