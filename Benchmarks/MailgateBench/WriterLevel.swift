import Synchronization

/// The outcome of saving `messages` messages with `writers` concurrent writers.
struct LevelResult: Codable, Sendable {
    var writers: Int
    var messages: Int
    var seconds: Double
    var messagesPerSecond: Double
    var latency: LatencySummary
}

/// Runs `writers` concurrent tasks that together make `total` calls of `save`, each call
/// timed from its start to its return (for a store: until the store says "saved").
enum WriterLevel {
    /// - Parameter save: called with the message's number (0..<total) and the writer's number.
    static func run(
        writers: Int, total: Int, save: @escaping @Sendable (_ index: Int, _ writer: Int) async throws -> Void
    ) async throws -> LevelResult {
        let next = Counter()
        let clock = ContinuousClock()
        let start = clock.now
        let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var mine: [Duration] = []
                    while true {
                        let index = next.take()
                        guard index < total else { break }
                        let began = clock.now
                        try await save(index, writer)
                        mine.append(began.duration(to: clock.now))
                    }
                    return mine
                }
            }
            var all: [Duration] = []
            for try await part in group { all += part }
            return all
        }
        let seconds = start.duration(to: clock.now).seconds
        return LevelResult(
            writers: writers, messages: latencies.count, seconds: seconds,
            messagesPerSecond: Double(latencies.count) / seconds, latency: LatencySummary(latencies))
    }
}

/// Hands out 0, 1, 2, ... to concurrent tasks.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)

    func take() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
}
