import Foundation
import MIME
import MailStore
import MailgateCore

/// SORT / UID SORT (RFC 5256): the messages SEARCH finds, ordered by the criteria, ties broken
/// by sequence number (3: "the order of messages ... is by sequence number").
enum IMAPSort {
    static func run(
        _ criteria: [IMAPSortKey], _ key: IMAPSearchKey, uid: Bool, _ context: inout IMAPCommandContext
    ) async throws -> String {
        guard let selected = context.selected else { throw IMAPCommandFailure.bad("no mailbox selected") }
        let hits = try await IMAPSearch.matching(key, in: selected, store: context.store)
        let needsHeader = criteria.contains { [.cc, .date, .from, .subject, .to].contains($0.criterion) }
        var entries: [Entry] = []
        entries.reserveCapacity(hits.count)
        let readAhead = ContentReadAhead(hits.map(\.summary))
        for (position, hit) in hits.enumerated() {
            var header: MIMEHeader?
            if needsHeader, let bytes = try await readAhead.bytes(at: position, store: context.store) {
                // The criteria are header fields: the body is not parsed.
                header = MIMEMessage(Array(ContentReadAhead.header(of: bytes))).header
            }
            entries.append(
                Entry(
                    seq: hit.seq, summary: hit.summary,
                    values: criteria.map { value($0.criterion, hit.summary, header) }))
        }
        entries.sort { a, b in
            for (index, criterion) in criteria.enumerated() {
                let order = a.values[index].compare(b.values[index])
                if order != .same { return criterion.reverse ? order == .after : order == .before }
            }
            return a.seq < b.seq
        }
        let numbers = entries.map { uid ? String($0.summary.uid) : String($0.seq) }
        context.untagged("* SORT" + numbers.map { " " + $0 }.joined() + "\r\n")
        return "OK SORT completed"
    }

    private struct Entry {
        let seq: Int
        let summary: MessageSummary
        let values: [SortValue]
    }

    enum Order { case before, same, after }

    /// A message's value for one criterion.
    enum SortValue {
        case number(Double)
        case text([UInt8])

        func compare(_ other: SortValue) -> Order {
            switch (self, other) {
            case (.number(let a), .number(let b)): a < b ? .before : a > b ? .after : .same
            case (.text(let a), .text(let b)): a.lexicographicallyPrecedes(b) ? .before : a == b ? .same : .after
            default: .same
            }
        }
    }

    static func value(_ criterion: IMAPSortKey.Criterion, _ summary: MessageSummary, _ header: MIMEHeader?)
        -> SortValue
    {
        switch criterion {
        case .arrival: return .number(summary.internalDate.timeIntervalSince1970)
        case .size: return .number(Double(summary.size))
        case .date:
            // RFC 5256 3: the sent date, or INTERNALDATE when there is no usable Date field.
            let sent = header?.first("Date").flatMap { RFC5322Date.parse($0.unfoldedValue) }
            return .number(sent ?? summary.internalDate.timeIntervalSince1970)
        case .from, .to, .cc:
            let name = criterion == .from ? "From" : criterion == .to ? "To" : "Cc"
            // RFC 5256 3: the addr-mailbox (local part) of the first address, i;ascii-casemap.
            let first = header?.all(name).lazy.flatMap { MIMEAddressParser.parse($0.unfoldedBytes) }
                .first { $0.mailbox != nil }
            return .text(casemap(first?.mailbox ?? []))
        case .subject:
            let subject = header?.first("Subject")?.decodedValue ?? ""
            return .text(casemap(Array(baseSubject(subject).utf8)))
        }
    }

    /// RFC 4790 i;ascii-casemap: ASCII letters compared as upper case.
    static func casemap(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }
    }

    /// RFC 5256 2.1: the subject without reply and forward markers and blob prefixes.
    static func baseSubject(_ subject: String) -> String {
        // (1) Encoded words are decoded already; runs of white space become one space.
        var text = subject.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
            .joined(separator: " ")
        while true {
            // (2) Trailing "(fwd)" and white space.
            while text.lowercased().hasSuffix("(fwd)") {
                text = String(text.dropLast(5)).trimmingCharacters(in: .whitespaces)
            }
            // (3), (4) Leading subj-leader and subj-blob, repeatedly.
            var changed = true
            while changed {
                changed = false
                text = String(text.drop(while: { $0 == " " }))
                if let rest = droppingReplyMarker(text) {
                    text = rest
                    changed = true
                } else if let rest = droppingBlob(text), !rest.trimmingCharacters(in: .whitespaces).isEmpty {
                    text = rest
                    changed = true
                }
            }
            // (5) "[fwd:" ... "]" around the whole subject.
            if text.lowercased().hasPrefix("[fwd:") && text.hasSuffix("]") {
                text = String(text.dropFirst(5).dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            return text
        }
    }

    /// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":" ; nil when `text` does not start with one.
    private static func droppingReplyMarker(_ text: String) -> String? {
        let lower = text.lowercased()
        var rest: Substring
        if lower.hasPrefix("re") {
            rest = text.dropFirst(2)
        } else if lower.hasPrefix("fwd") {
            rest = text.dropFirst(3)
        } else if lower.hasPrefix("fw") {
            rest = text.dropFirst(2)
        } else {
            return nil
        }
        rest = rest.drop(while: { $0 == " " })
        if let afterBlob = droppingBlob(String(rest)) { rest = Substring(afterBlob) }
        guard rest.first == ":" else { return nil }
        return String(rest.dropFirst())
    }

    /// subj-blob = "[" *BLOBCHAR "]" *WSP ; nil when `text` does not start with one.
    private static func droppingBlob(_ text: String) -> String? {
        guard text.first == "[", let close = text.firstIndex(of: "]") else { return nil }
        let inside = text[text.index(after: text.startIndex)..<close]
        guard !inside.contains("[") else { return nil }
        return String(text[text.index(after: close)...].drop(while: { $0 == " " }))
    }
}

/// RFC 5322 3.3 date-time, leniently (obsolete zones, missing seconds, two-digit years), as
/// seconds since 1970 in UTC.
enum RFC5322Date {
    static func parse(_ value: String) -> Double? {
        var tokens = value.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
        if let first = tokens.first, first.count == 3, Int(first) == nil, CivilDate.monthIndex(first) == nil {
            tokens.removeFirst()  // day name
        }
        guard tokens.count >= 4, let day = Int(tokens[0]), (1...31).contains(day),
            let month = CivilDate.monthIndex(tokens[1].prefix(3)), var year = Int(tokens[2])
        else { return nil }
        if year < 100 { year += year < 50 ? 2000 : 1900 }
        let clock = tokens[3].split(separator: ":").compactMap { Int($0) }
        guard clock.count >= 2, (0...23).contains(clock[0]), (0...59).contains(clock[1]) else { return nil }
        let seconds = clock.count > 2 ? clock[2] : 0
        let offset = tokens.count > 4 ? zoneOffset(tokens[4]) : 0
        let days = CivilDate.days(year: year, month: month + 1, day: day)
        return Double(days * 86_400 + clock[0] * 3_600 + clock[1] * 60 + seconds - offset)
    }

    /// Seconds east of UTC; obsolete and unknown zones count as UTC (RFC 5322 4.3).
    static func zoneOffset(_ zone: String) -> Int {
        if let sign = zone.first, sign == "+" || sign == "-", zone.count == 5, let number = Int(zone.dropFirst()) {
            let seconds = (number / 100) * 3_600 + (number % 100) * 60
            return sign == "-" ? -seconds : seconds
        }
        let named = ["EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7]
        return (named[zone.uppercased()] ?? 0) * 3_600
    }
}
