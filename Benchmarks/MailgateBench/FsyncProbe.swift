import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What this disk gives one writer that makes every small write durable before the next.
struct FsyncProbeResult: Codable, Sendable {
    var blockSize: Int
    var pairs: Int
    var seconds: Double
    var pairsPerSecond: Double
    var latency: LatencySummary
}

/// Measures the disk's rate of small write+fsync pairs: the physical limit of a store that
/// makes each message durable on its own, with one writer.
///
/// The file is appended to, as SQLite appends to its WAL, so each `fsync` also carries the
/// file's new size, as the WAL's do.
enum FsyncProbe {
    /// Appends `blockSize` bytes and fsyncs, until `maximumPairs` pairs or `maximumDuration`.
    /// Blocks the calling thread for up to `maximumDuration`.
    static func run(
        in folder: String, blockSize: Int = 4096, maximumPairs: Int = 500, maximumDuration: Duration = .seconds(2)
    ) throws -> FsyncProbeResult {
        let path = (folder as NSString).appendingPathComponent("fsync-probe")
        let file = try POSIXFile(path: path, flags: O_WRONLY | O_CREAT | O_TRUNC)
        defer {
            file.close()
            unlink(path)
        }
        // The file's creation is made durable first, so it does not weigh on the first pair.
        try file.sync()
        try POSIXFile.directory(folder).syncAndClose()
        let block = Data(repeating: 0x61, count: blockSize)
        let clock = ContinuousClock()
        let start = clock.now
        var latencies: [Duration] = []
        while latencies.count < maximumPairs, start.duration(to: clock.now) < maximumDuration {
            let began = clock.now
            try file.write(block)
            try file.sync()
            latencies.append(began.duration(to: clock.now))
        }
        let seconds = start.duration(to: clock.now).seconds
        return FsyncProbeResult(
            blockSize: blockSize, pairs: latencies.count, seconds: seconds,
            pairsPerSecond: Double(latencies.count) / seconds, latency: LatencySummary(latencies))
    }
}
