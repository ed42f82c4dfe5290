import Foundation

/// The results of `mailgate-bench store`, as a table or as JSON.
struct StoreReport: BenchReport, Codable {
    var folder: String
    var messageSize: Int
    /// The disk's write+fsync rate before and after the store's levels.
    var fsyncProbes: [FsyncProbeResult]
    /// The best of the probes: the ratios compare against it, so they flatter nothing.
    var diskPairsPerSecond: Double
    /// The shipped design: bytes in SQLite, WAL, `synchronous = FULL`, group commit.
    var messagesInSQLite: [LevelResult]
    /// The alternative: a file per message, then a metadata row in SQLite.
    var messagesAsFiles: [LevelResult]

    init(
        folder: String, messageSize: Int, fsyncProbes: [FsyncProbeResult], messagesInSQLite: [LevelResult],
        messagesAsFiles: [LevelResult]
    ) {
        self.folder = folder
        self.messageSize = messageSize
        self.fsyncProbes = fsyncProbes
        self.diskPairsPerSecond = fsyncProbes.map(\.pairsPerSecond).max() ?? .nan
        self.messagesInSQLite = messagesInSQLite
        self.messagesAsFiles = messagesAsFiles
    }

    var text: String {
        var lines = [
            "store benchmark in \(folder), \(messageSize)-byte messages, every save durable before it returns",
            "",
        ]
        for (probe, when) in zip(fsyncProbes, ["before", "after "]) {
            lines.append(
                "disk, \(when): \(probe.blockSize)-byte write+fsync pairs, 1 writer: "
                    + "\(formatted(probe.pairsPerSecond, 0)) pairs/s (\(probe.pairs) pairs, "
                    + "p50 \(formatted(probe.latency.p50Milliseconds, 2)) ms, "
                    + "p99 \(formatted(probe.latency.p99Milliseconds, 2)) ms)")
        }
        lines += [
            "(x fsync rate: messages/s divided by the better disk rate, \(formatted(diskPairsPerSecond, 0)) pairs/s)",
            "",
            "message bytes in SQLite (WAL, synchronous=FULL, group commit):",
        ]
        lines += table(messagesInSQLite)
        if let warning = syncWarning { lines += ["", warning] }
        lines += ["", "message bytes as files (write, fsync file, fsync folder, then SQLite metadata commit):"]
        lines += table(messagesAsFiles)
        return lines.joined(separator: "\n")
    }

    /// A lone writer cannot beat the disk's own write+fsync rate if every commit is synced: if it
    /// does by far, the store's commits are not reaching the disk (`PRAGMA synchronous` overridden).
    var syncWarning: String? {
        guard let lone = messagesInSQLite.first(where: { $0.writers == 1 }),
            lone.messagesPerSecond > 2 * diskPairsPerSecond
        else { return nil }
        return "WARNING: 1 writer saved \(formatted(lone.messagesPerSecond / diskPairsPerSecond, 1))x faster "
            + "than the disk syncs: the store's commits are probably not fsynced (check PRAGMA synchronous)"
    }

    private func table(_ levels: [LevelResult]) -> [String] {
        let header = ["writers", "messages", "msgs/s", "p50 ms", "p99 ms", "x fsync rate"]
        let rows = levels.map { level in
            [
                String(level.writers), String(level.messages), formatted(level.messagesPerSecond, 0),
                formatted(level.latency.p50Milliseconds, 2), formatted(level.latency.p99Milliseconds, 2),
                formatted(level.messagesPerSecond / diskPairsPerSecond, 2),
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            zip(row, widths).map { cell, width in String(repeating: " ", count: width - cell.count) + cell }
                .joined(separator: "  ")
        }
    }
}
