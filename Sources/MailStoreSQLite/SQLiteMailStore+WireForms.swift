import Foundation
import GRDB
public import MailStore

/// Wire forms kept with contents (table `content_wire`, schema v3).
extension SQLiteMailStore {
    public func wireForms(of contents: [ContentID]) async throws -> [ContentID: WireForm] {
        guard !contents.isEmpty else { return [:] }
        return try await read { db in
            var found: [ContentID: WireForm] = [:]
            try Self.inBatches(contents) { batch, marks in
                let rows = try Row.fetchCursor(
                    db.cachedStatement(
                        sql:
                            "SELECT content_id, size, canonical, dot_lines FROM content_wire WHERE content_id IN (\(marks))"
                    ),
                    arguments: StatementArguments(batch.map(\.rawValue)))
                while let row = try rows.next() {
                    // A row this build cannot read is skipped: the form is worked out again.
                    guard let form = Self.wireForm(size: row[1], canonical: row[2], dotLines: row[3]) else { continue }
                    found[ContentID(row[0])] = form
                }
            }
            return found
        }
    }

    public func keepWireForms(_ forms: [ContentID: WireForm]) async throws {
        guard !forms.isEmpty else { return }
        try await write { db, _ in
            // A content removed since its form was worked out gets no row (nor a foreign-key error).
            let insert = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO content_wire (content_id, size, canonical, dot_lines)
                    SELECT id, ?, ?, ? FROM content WHERE id = ?
                    """)
            for (content, form) in forms {
                try insert.execute(arguments: [
                    form.size, form.dotLines == nil ? 0 : 1, form.dotLines.map(Self.encodeDotLines), content.rawValue,
                ])
            }
        }
    }

    /// Offsets as 8-byte little-endian integers.
    static func encodeDotLines(_ offsets: [Int]) -> Data {
        var data = Data(capacity: offsets.count * 8)
        for offset in offsets { withUnsafeBytes(of: Int64(offset).littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    /// The form of a `content_wire` row; nil when the row does not make sense (a blob whose length
    /// is no multiple of 8, a negative size, offsets not rising or past the end): RETR copies
    /// the runs between the offsets, so they must rise within the message.
    static func wireForm(size: Int, canonical: Int, dotLines: Data?) -> WireForm? {
        guard size >= 0 else { return nil }
        guard canonical != 0 else { return WireForm(size: size, dotLines: nil) }
        let blob = dotLines ?? Data()
        guard blob.count % 8 == 0 else { return nil }
        var offsets: [Int] = []
        offsets.reserveCapacity(blob.count / 8)
        for start in stride(from: 0, to: blob.count, by: 8) {
            var value: Int64 = 0
            withUnsafeMutableBytes(of: &value) {
                $0.copyBytes(from: blob[blob.startIndex + start..<blob.startIndex + start + 8])
            }
            let offset = Int(Int64(littleEndian: value))
            guard offset > (offsets.last ?? -1), offset < size else { return nil }
            offsets.append(offset)
        }
        return WireForm(size: size, dotLines: offsets)
    }
}
