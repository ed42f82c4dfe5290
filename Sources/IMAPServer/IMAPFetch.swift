import Foundation
import MailStore
import NIOCore

/// FETCH / UID FETCH (RFC 3501 6.4.5, 6.4.8; RFC 7162 3.1.4 CHANGEDSINCE; RFC 3516 BINARY).
enum IMAPFetch {
    static func run(
        _ set: IMAPSequenceSet, items requested: [IMAPFetchItem], changedSince: ModSeq?, uid: Bool,
        _ context: inout IMAPCommandContext
    ) async throws -> String {
        guard var selected = context.selected else { throw IMAPCommandFailure.bad("no mailbox selected") }
        guard uid || selected.isValidSequenceSet(set) else { throw IMAPCommandFailure.bad("invalid sequence number") }
        var items = requested
        // RFC 3501 6.4.8: UID FETCH always includes UID.
        if uid && !items.contains(.uid) { items.insert(.uid, at: 0) }
        if changedSince != nil || items.contains(.modSeq) {
            // RFC 7162 3.1: CHANGEDSINCE and MODSEQ turn CONDSTORE on; the answer includes MODSEQ.
            context.condStore = true
            selected.includeModSeq = true
            if !items.contains(.modSeq) { items.append(.modSeq) }
        }
        let targets = selected.resolve(set, uid: uid)
        guard let first = targets.first?.uid, let last = targets.last?.uid else {
            context.selected = selected
            return "OK FETCH completed"
        }
        let wanted = Set(targets.map(\.uid))
        var summaries = try await context.store.messages(in: selected.folder.id, uids: first...last)
            .filter { wanted.contains($0.uid) }
        if let changedSince { summaries = summaries.filter { $0.modSeq > changedSince } }
        // RFC 3501 6.4.5: fetching body text sets \Seen, unless read-only.
        if !selected.isReadOnly, items.contains(where: \.setsSeen) {
            let unseen = summaries.filter { !$0.flags.contains(.seen) }.map(\.uid)
            if !unseen.isEmpty {
                let result = try await context.store.setFlags(
                    in: selected.folder.id, uids: unseen, mode: .add, flags: .seen, keywords: [], unchangedSince: nil)
                let updated = Dictionary(result.changed.map { ($0.uid, $0) }, uniquingKeysWith: { a, _ in a })
                summaries = summaries.map { updated[$0.uid] ?? $0 }
                if !items.contains(.flags) { items.append(.flags) }
            }
        }
        let needsBytes = items.contains(where: \.needsBytes)
        for summary in summaries {
            guard let seq = selected.sequenceNumber(of: summary.uid), !selected.isGone(summary.uid) else { continue }
            var view: IMAPMessageView?
            if needsBytes {
                guard let data = try await context.store.messageBytes(summary.content) else { continue }
                view = IMAPMessageView(Array(data), rev2: context.rev2)
            }
            selected.remember(summary)
            var writer = IMAPResponseWriter()
            writer.raw("* \(seq) FETCH (")
            for (index, item) in items.enumerated() {
                if index > 0 { writer.raw(" ") }
                try render(item, summary, view, recent: selected.isRecent(summary.uid), &writer)
            }
            writer.raw(")\r\n")
            context.output.bytes(writer.buffer.readableBytesView)
        }
        context.selected = selected
        return "OK FETCH completed"
    }

    private static func render(
        _ item: IMAPFetchItem, _ summary: MessageSummary, _ view: IMAPMessageView?, recent: Bool,
        _ writer: inout IMAPResponseWriter
    ) throws {
        switch item {
        case .flags: writer.raw("FLAGS " + IMAPFlags.list(summary.flags, summary.keywords, recent: recent))
        case .uid: writer.raw("UID \(summary.uid)")
        case .internalDate: writer.raw("INTERNALDATE \"\(IMAPDateFormat.format(summary.internalDate))\"")
        case .rfc822Size: writer.raw("RFC822.SIZE \(summary.size)")
        case .modSeq: writer.raw("MODSEQ (\(summary.modSeq))")
        case .rfc822:
            writer.raw("RFC822 ")
            writer.literal(view?.bytes ?? [])
        case .rfc822Header:
            writer.raw("RFC822.HEADER ")
            writer.literal(try view?.section("HEADER", partial: nil) ?? [])
        case .rfc822Text:
            writer.raw("RFC822.TEXT ")
            writer.literal(try view?.section("TEXT", partial: nil) ?? [])
        case .envelope:
            writer.raw("ENVELOPE ")
            writer.bytes(view?.envelope ?? Array("NIL".utf8))
        case .bodyStructure:
            writer.raw("BODYSTRUCTURE ")
            writer.bytes(view?.bodyStructure(extensible: true) ?? [])
        case .body:
            writer.raw("BODY ")
            writer.bytes(view?.bodyStructure(extensible: false) ?? [])
        case .section(let section, let partial, _):
            let bytes = try view?.section(section, partial: partial) ?? []
            // RFC 3501 7.4.2: the reply names the section and, for a partial, only its origin.
            writer.raw("BODY[\(section)]" + (partial.map { "<\($0.origin)>" } ?? "") + " ")
            writer.literal(bytes)
        case .binary(let part, let partial, _):
            let bytes = try view?.binary(part, partial: partial) ?? []
            let name = part.map(String.init).joined(separator: ".")
            writer.raw("BINARY[\(name)]" + (partial.map { "<\($0.origin)>" } ?? "") + " ")
            // RFC 3516 4.2: literal8 when the decoded bytes hold NUL.
            if bytes.contains(0) { writer.raw("~") }
            writer.literal(bytes)
        case .binarySize(let part):
            let name = part.map(String.init).joined(separator: ".")
            writer.raw("BINARY.SIZE[\(name)] \(try view?.binarySize(part) ?? 0)")
        }
    }
}
