import Foundation
import MIME
import Testing

/// Compares the parser with Python's `email` package on a generated corpus (issue 6's independent check).
///
/// Generate the corpus with `python3 Tests/MIMETests/compare_with_python_email.py DIR` and set
/// `MIME_CORPUS_DIR=DIR`; without it the test is skipped.
@Suite("MIME corpus compared with Python's email package")
struct PythonCorpusTests {
    static let folder = ProcessInfo.processInfo.environment["MIME_CORPUS_DIR"]

    /// Python's view of one part (see the script's docstring).
    struct Node: Decodable {
        var type: String
        var params: [String: String]
        var filename: String?
        var disposition: String?
        var size: Int?
        var decoded_size: Int?
        var children: [Node]?
    }

    struct Expected: Decodable {
        var subject: String?
        var from: [[String]]
        var to: [[String]]
        var tree: Node
    }

    @Test(
        "Every corpus message: types, parameters, file names, sizes, subject and addresses agree",
        .enabled(if: folder != nil, "set MIME_CORPUS_DIR to a folder made by compare_with_python_email.py"))
    func corpus() throws {
        let folder = URL(fileURLWithPath: Self.folder ?? "")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".eml") }.sorted()
        var mismatches: [String] = []
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(file)))
            let json = folder.appendingPathComponent(String(file.dropLast(4)) + ".json")
            let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: json))
            let parsed = MIMEMessage(bytes)
            var report: [String] = []
            func check<T: Equatable>(_ what: String, _ ours: T, _ python: T) {
                if ours != python { report.append("\(what): ours \(ours), python \(python)") }
            }
            check("subject", parsed.subject, expected.subject)
            check("from", mailboxes(parsed, "From"), expected.from)
            check("to", mailboxes(parsed, "To"), expected.to)
            compare(parsed, parsed.root, expected.tree, path: "root", check: &report)
            mismatches += report.map { "\(file) \($0)" }
        }
        #expect(files.count > 0)
        #expect(
            mismatches.isEmpty,
            "\(mismatches.count) mismatches in \(files.count) messages:\n\(mismatches.prefix(30).joined(separator: "\n"))"
        )
    }

    private func mailboxes(_ message: MIMEMessage, _ field: String) -> [[String]] {
        message.header.all(field).flatMap { MIMEAddressParser.parse($0.unfoldedBytes) }
            .filter { $0.kind == .mailbox }
            .map { [$0.decodedName ?? "", $0.addressSpec ?? ""] }
    }

    private func compare(
        _ message: MIMEMessage, _ part: MIMEPart, _ node: Node, path: String, check report: inout [String]
    ) {
        func check<T: Equatable>(_ what: String, _ ours: T, _ python: T) {
            if ours != python { report.append("\(path) \(what): ours \(ours), python \(python)") }
        }
        check("type", part.contentType.mimeType, node.type)
        if part.hasExplicitContentType {
            var ours: [String: String] = [:]
            for parameter in part.contentType.parameters {
                let base = String(parameter.name.lowercased().prefix { $0 != "*" })
                ours[base] = part.contentType.parameter(base)
            }
            check("params", ours, node.params)
        }
        check("filename", part.filename, node.filename)
        check("disposition", part.contentDisposition?.type.lowercased(), node.disposition)
        let children = part.encapsulatedMessage.map { [$0] } ?? part.children
        check("children", children.count, node.children?.count ?? 0)
        if let size = node.size {
            check("size", part.bodyRange.count, size)
            check("decoded size", try? message.decodedBody(of: part).count, node.decoded_size)
        }
        for (index, (child, childNode)) in zip(children, node.children ?? []).enumerated() {
            compare(message, child, childNode, path: "\(path).\(index + 1)", check: &report)
        }
    }
}
