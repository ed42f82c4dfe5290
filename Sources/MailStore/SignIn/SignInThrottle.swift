public import Foundation

/// Counts failed sign-ins per user name and per source address over a sliding window, and
/// refuses further attempts past a limit until the oldest failure ages out.
///
/// Bounded: each key keeps at most `limit` timestamps, and the table forgets its oldest keys
/// past `maximumKeys`, so a flood of random user names cannot grow memory without end.
public struct SignInThrottle: Sendable {
    public struct Limits: Sendable {
        public var window: TimeInterval
        public var perUser: Int
        public var perSource: Int
        public var maximumKeys: Int
        public init(window: TimeInterval = 900, perUser: Int = 10, perSource: Int = 30, maximumKeys: Int = 100_000) {
            self.window = window
            self.perUser = perUser
            self.perSource = perSource
            self.maximumKeys = maximumKeys
        }
    }

    private let limits: Limits
    private var failures: [String: [TimeInterval]] = [:]

    public init(limits: Limits = Limits()) { self.limits = limits }

    private static func userKey(_ login: String) -> String { "u:" + login.lowercased() }
    private static func sourceKey(_ source: String) -> String { "s:" + source }

    /// Seconds to wait before `login` from `source` may try again, or nil if it may try now.
    public mutating func retryAfter(login: String, source: String?, now: Date) -> Int? {
        var wait: TimeInterval = 0
        for (key, limit) in keys(login: login, source: source) {
            let recent = prune(key, now: now)
            if recent.count >= limit, let oldest = recent.first {
                wait = max(wait, oldest + limits.window - now.timeIntervalSinceReferenceDate)
            }
        }
        return wait > 0 ? Int(wait.rounded(.up)) : nil
    }

    public mutating func recordFailure(login: String, source: String?, now: Date) {
        if failures.count >= limits.maximumKeys {
            // Forget the keys whose newest failure is oldest: they matter least.
            let drop = failures.sorted { ($0.value.last ?? 0) < ($1.value.last ?? 0) }.prefix(limits.maximumKeys / 10)
            for (key, _) in drop { failures.removeValue(forKey: key) }
        }
        for (key, limit) in keys(login: login, source: source) {
            var recent = prune(key, now: now)
            recent.append(now.timeIntervalSinceReferenceDate)
            failures[key] = Array(recent.suffix(limit))
        }
    }

    /// A success forgives the user's failures (not the source's: one good password must not
    /// reset a source that is guessing other accounts).
    public mutating func recordSuccess(login: String) {
        failures.removeValue(forKey: Self.userKey(login))
    }

    private func keys(login: String, source: String?) -> [(String, Int)] {
        var keys = [(Self.userKey(login), limits.perUser)]
        if let source { keys.append((Self.sourceKey(source), limits.perSource)) }
        return keys
    }

    private mutating func prune(_ key: String, now: Date) -> [TimeInterval] {
        guard let stamps = failures[key] else { return [] }
        let horizon = now.timeIntervalSinceReferenceDate - limits.window
        let recent = stamps.filter { $0 > horizon }
        failures[key] = recent.isEmpty ? nil : recent
        return recent
    }
}
