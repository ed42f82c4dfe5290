import Foundation
import MailStore
import MailgateCore
import NIOCore

/// SEARCH / UID SEARCH (RFC 3501 6.4.4): every key; BODY and TEXT as case-insensitive substrings.
enum IMAPSearch {
    static func run(
        _ key: IMAPSearchKey, uid: Bool, tag: String, returnOptions: Set<String>?, _ context: inout IMAPCommandContext
    ) async throws -> String {
        guard var selected = context.selected else { throw IMAPCommandFailure.bad("no mailbox selected") }
        let saves = returnOptions?.contains("SAVE") == true
        if saves {
            // RFC 5182 2.1: a SEARCH that fails leaves the saved result empty.
            selected.savedResult = []
            context.selected = selected
        }
        if needsModSeq(key) { context.condStore = true }
        var hits: [UInt32] = []
        var hitUIDs: [MessageUID] = []
        var highestModSeq: ModSeq = 0
        for (summary, seq) in try await matching(key, in: selected, store: context.store) {
            hits.append(uid ? summary.uid : UInt32(clamping: seq))
            hitUIDs.append(summary.uid)
            highestModSeq = max(highestModSeq, summary.modSeq)
        }
        // RFC 7162 3.1.5: a search with MODSEQ reports the highest mod-sequence of the hits.
        let reportsModSeq = needsModSeq(key) && !hits.isEmpty
        if saves {
            selected.savedResult = hitUIDs.sorted()
            context.selected = selected
        }
        // RFC 5182 2.1: SAVE alone asks for no ESEARCH response.
        if returnOptions == ["SAVE"] { return "OK SEARCH completed, result saved" }
        if context.rev2 || returnOptions != nil {
            // RFC 4731 3.1, RFC 9051 7.3.4: ESEARCH; MIN, MAX and ALL are left out when nothing matched.
            let options = returnOptions ?? ["ALL"]
            let sorted = hits.sorted()
            var writer = IMAPResponseWriter()
            writer.raw("* ESEARCH (TAG ")
            writer.string(tag)
            writer.raw(")" + (uid ? " UID" : ""))
            if options.contains("MIN"), let first = sorted.first { writer.raw(" MIN \(first)") }
            if options.contains("MAX"), let last = sorted.last { writer.raw(" MAX \(last)") }
            if options.contains("ALL"), !sorted.isEmpty {
                writer.raw(" ALL " + IMAPSequenceSet.compact(sorted).description)
            }
            if options.contains("COUNT") { writer.raw(" COUNT \(sorted.count)") }
            if reportsModSeq { writer.raw(" MODSEQ \(highestModSeq)") }
            writer.crlf()
            context.output.bytes(writer.buffer.readableBytesView)
        } else {
            let modSeq = reportsModSeq ? " (MODSEQ \(highestModSeq))" : ""
            context.untagged("* SEARCH" + hits.map { " \($0)" }.joined() + modSeq + "\r\n")
        }
        return "OK SEARCH completed"
    }

    /// The messages of the session's view that match `key`, in sequence-number order.
    static func matching(_ key: IMAPSearchKey, in selected: SelectedMailbox, store: any MailStore) async throws
        -> [(summary: MessageSummary, seq: Int)]
    {
        var hits: [(summary: MessageSummary, seq: Int)] = []
        let summaries = try await store.messages(in: selected.folder.id, uids: nil)
        let readAhead = ContentReadAhead(summaries)
        for (position, summary) in summaries.enumerated() {
            guard let seq = selected.sequenceNumber(of: summary.uid), !selected.isGone(summary.uid) else { continue }
            var candidate = Candidate(
                summary: summary, seq: seq, selected: selected,
                load: { try await readAhead.bytes(at: position, store: store) })
            if try await candidate.matches(key) { hits.append((summary, seq)) }
        }
        return hits
    }

    private static func needsModSeq(_ key: IMAPSearchKey) -> Bool {
        switch key {
        case .modSeq: true
        case .and(let keys): keys.contains(where: needsModSeq)
        case .or(let a, let b): needsModSeq(a) || needsModSeq(b)
        case .not(let inner): needsModSeq(inner)
        default: false
        }
    }

    /// One message under test; the bytes are loaded only if a key needs them.
    private struct Candidate {
        let summary: MessageSummary
        let seq: Int
        let selected: SelectedMailbox
        let load: () async throws -> Data?
        var view: IMAPMessageView?
        var loaded = false

        init(summary: MessageSummary, seq: Int, selected: SelectedMailbox, load: @escaping () async throws -> Data?) {
            self.summary = summary
            self.seq = seq
            self.selected = selected
            self.load = load
        }

        mutating func message() async throws -> IMAPMessageView? {
            if !loaded {
                loaded = true
                view = try await load().map { IMAPMessageView($0) }
            }
            return view
        }

        mutating func matches(_ key: IMAPSearchKey) async throws -> Bool {
            switch key {
            case .all: return true
            case .and(let keys):
                for inner in keys where !(try await matches(inner)) { return false }
                return true
            case .or(let a, let b):
                if try await matches(a) { return true }
                return try await matches(b)
            case .not(let inner): return !(try await matches(inner))
            case .sequence(let set):
                return set.contains(UInt32(clamping: seq), largest: UInt32(clamping: selected.count))
            case .uid(let set): return set.contains(summary.uid, largest: selected.largestUID)
            case .flag(let name, let set):
                if let system = IMAPFlags.system.first(where: { $0.1.lowercased() == name.lowercased() }) {
                    return summary.flags.contains(system.0) == set
                }
                if name.lowercased() == "\\recent" { return selected.isRecent(summary.uid) == set }
                return summary.keywords.contains { $0.lowercased() == name.lowercased() } == set
            case .new: return selected.isRecent(summary.uid) && !summary.flags.contains(.seen)
            case .old: return !selected.isRecent(summary.uid)
            case .recent: return selected.isRecent(summary.uid)
            case .before(let day): return IMAPDateFormat.day(of: summary.internalDate) < day
            case .on(let day): return IMAPDateFormat.day(of: summary.internalDate) == day
            case .since(let day): return IMAPDateFormat.day(of: summary.internalDate) >= day
            case .sentBefore(let day), .sentOn(let day), .sentSince(let day):
                guard let sent = try await message()?.headerValues("Date").first.flatMap(Self.sentDay) else {
                    return false
                }
                if case .sentBefore = key { return sent < day }
                if case .sentOn = key { return sent == day }
                return sent >= day
            case .larger(let size): return summary.size > size
            case .smaller(let size): return summary.size < size
            case .modSeq(let value): return summary.modSeq >= value
            case .header(let field, let text):
                guard let values = try await message()?.headerValues(field) else { return false }
                if text.isEmpty { return !values.isEmpty }
                return values.contains { IMAPTextMatch.contains($0, text) }
            case .body(let text):
                guard let body = try await message()?.body else { return false }
                return IMAPTextMatch.contains(body, text)
            case .text(let text):
                guard let view = try await message() else { return false }
                return IMAPTextMatch.contains(view.headerText, text) || IMAPTextMatch.contains(view.body, text)
            }
        }

        /// The day of an RFC 5322 Date (`Tue, 1 Jul 2003 10:52:37 +0200`), leniently.
        static func sentDay(_ value: String) -> IMAPDay? {
            let tokens = value.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }).map(String.init)
            for index in tokens.indices.dropLast(2) {
                guard let day = Int(tokens[index]), (1...31).contains(day),
                    let month = CivilDate.monthIndex(tokens[index + 1].prefix(3)),
                    let year = Int(tokens[index + 2])
                else { continue }
                return IMAPDay(year: year < 100 ? year + (year < 50 ? 2000 : 1900) : year, month: month + 1, day: day)
            }
            return nil
        }
    }
}
