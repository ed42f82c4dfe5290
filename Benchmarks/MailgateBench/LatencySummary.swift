/// Median and tail of a set of timings.
struct LatencySummary: Codable, Sendable {
    var p50Milliseconds: Double
    var p99Milliseconds: Double

    init(_ samples: [Duration]) {
        let sorted = samples.sorted()
        p50Milliseconds = Self.percentile(0.50, of: sorted).milliseconds
        p99Milliseconds = Self.percentile(0.99, of: sorted).milliseconds
    }

    /// Nearest-rank percentile of sorted samples; zero for none.
    static func percentile(_ fraction: Double, of sorted: [Duration]) -> Duration {
        guard !sorted.isEmpty else { return .zero }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    var milliseconds: Double { seconds * 1e3 }

    var microseconds: Double { seconds * 1e6 }
}
