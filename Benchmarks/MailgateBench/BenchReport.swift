import Foundation

/// A benchmark's results: a plain-text table for people, JSON for scripts.
protocol BenchReport: Encodable {
    var text: String { get }
}

extension BenchReport {
    func rendered(asJSON: Bool) throws -> String {
        guard asJSON else { return text }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// `value` with `decimals` digits after the point.
func formatted(_ value: Double, _ decimals: Int) -> String {
    String(format: "%.\(decimals)f", value)
}
