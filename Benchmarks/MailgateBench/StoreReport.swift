import Foundation

/// The results of `mailgate-bench store`, as a table or as JSON.
struct StoreReport: BenchReport, Codable {
    var folder: String
    var messageSize: Int
    var fsyncProbe: FsyncProbeResult
    /// The shipped design: bytes in SQLite, WAL, `synchronous = FULL`, group commit.
    var messagesInSQLite: [LevelResult]
    /// The alternative: a file per message, then a metadata row in SQLite.
    var messagesAsFiles: [LevelResult]

    var text: String {
        let probe = fsyncProbe
        var lines = [
            "store benchmark in \(folder), \(messageSize)-byte messages, every save durable before it returns",
            "",
            "disk: \(probe.blockSize)-byte write+fsync pairs, 1 writer: \(formatted(probe.pairsPerSecond, 0)) pairs/s"
                + " (\(probe.pairs) pairs, p50 \(formatted(probe.latency.p50Milliseconds, 2)) ms,"
                + " p99 \(formatted(probe.latency.p99Milliseconds, 2)) ms)",
            "",
            "message bytes in SQLite (WAL, synchronous=FULL, group commit):",
        ]
        lines += table(messagesInSQLite)
        lines += ["", "message bytes as files (write, fsync file, fsync folder, then SQLite metadata commit):"]
        lines += table(messagesAsFiles)
        return lines.joined(separator: "\n")
    }

    private func table(_ levels: [LevelResult]) -> [String] {
        let header = ["writers", "messages", "msgs/s", "p50 ms", "p99 ms", "x fsync rate"]
        let rows = levels.map { level in
            [
                String(level.writers), String(level.messages), formatted(level.messagesPerSecond, 0),
                formatted(level.latency.p50Milliseconds, 2), formatted(level.latency.p99Milliseconds, 2),
                formatted(level.messagesPerSecond / fsyncProbe.pairsPerSecond, 2),
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            zip(row, widths).map { cell, width in String(repeating: " ", count: width - cell.count) + cell }
                .joined(separator: "  ")
        }
    }
}
