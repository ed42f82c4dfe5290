import Foundation

/// Where a benchmark keeps its files: the folder the user named (kept afterwards), or a fresh
/// temporary one (removed by ``removeIfTemporary()``).
///
/// Every file a run makes (the store, the fsync probe's file, the message files) lives here, so
/// all measurements hit the same file system.
struct BenchFolder {
    let path: String
    let isTemporary: Bool

    init(_ given: String?) throws {
        if let given {
            path = given
            isTemporary = false
        } else {
            path = (NSTemporaryDirectory() as NSString).appendingPathComponent("mailgate-bench-\(UUID().uuidString)")
            isTemporary = true
        }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside the folder.
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    func removeIfTemporary() {
        if isTemporary { try? FileManager.default.removeItem(atPath: path) }
    }
}
