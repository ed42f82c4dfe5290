import ArgumentParser
import Foundation
import MailStore
import MailStoreSQLite

/// `mailgate-bench durability-check`: after the writer was killed, reopens the store and checks
/// that every acknowledged message is in the Inbox exactly once, byte for byte.
///
/// Messages stored but not acknowledged (in flight at the kill) are allowed; a missing,
/// duplicated or damaged message, or folder counters that disagree with the rows, fail.
struct DurabilityCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "durability-check",
        abstract: "Checks that every acknowledged id is stored exactly once, intact.")

    @Option(help: "The store's folder.")
    var dir: String

    @Option(help: "A file of acknowledged ids, one a line.")
    var acked: String

    func run() async throws {
        let ackedIDs = try String(contentsOfFile: acked, encoding: .utf8)
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let store = try SQLiteMailStore(directory: dir)
        guard let address = BenchDirectory.address(0), let account = try await store.user(address),
            case .active(let mailbox) = account.mailbox,
            let inbox = try await store.folders(of: mailbox).first(where: { $0.role == .inbox })
        else { throw BenchError("no active mailbox with an Inbox for user0@\(BenchDirectory.domain) in \(dir)") }

        let summaries = try await store.messages(in: inbox.id, uids: nil)
        var copies: [String: Int] = [:]
        var damaged: [MessageUID] = []
        for summary in summaries {
            guard let bytes = try await store.messageBytes(summary.content), let id = DurabilityMessage.id(in: bytes),
                bytes == DurabilityMessage.bytes(id: id), summary.size == bytes.count
            else {
                damaged.append(summary.uid)
                continue
            }
            copies[id, default: 0] += 1
        }
        let ackedSet = Set(ackedIDs)
        let missing = ackedSet.filter { copies[$0] == nil }.sorted()
        let duplicated = copies.filter { $0.value > 1 }.keys.sorted()
        let unacked = copies.keys.filter { !ackedSet.contains($0) }.count
        var problems: [String] = []
        if !missing.isEmpty { problems.append("\(missing.count) acknowledged missing, e.g. \(missing.prefix(5))") }
        if !duplicated.isEmpty { problems.append("\(duplicated.count) stored twice, e.g. \(duplicated.prefix(5))") }
        if !damaged.isEmpty { problems.append("\(damaged.count) damaged, UIDs \(damaged.prefix(5))") }
        if ackedIDs.count != ackedSet.count { problems.append("the ack file lists an id twice") }
        if inbox.messageCount != summaries.count {
            problems.append("Inbox counts \(inbox.messageCount) messages but holds \(summaries.count)")
        }
        if let last = summaries.last, last.uid >= inbox.uidNext {
            problems.append("UID \(last.uid) is not below UIDNEXT \(inbox.uidNext)")
        }

        print(
            "durability check: \(summaries.count) messages stored, \(ackedSet.count) acknowledged, "
                + "\(unacked) stored but not acknowledged (in flight at the kill)")
        if problems.isEmpty {
            print("OK: every acknowledged message is stored exactly once, intact")
        } else {
            for problem in problems { print("FAIL: \(problem)") }
            throw ExitCode.failure
        }
    }
}
