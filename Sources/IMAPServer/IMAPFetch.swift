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
        var summaries = Self.matching(
            try await context.store.messages(in: selected.folder.id, uids: first...last), targets)
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
        let plan = Plan(items, rev2: context.rev2)
        let batches = Batches(summaries, plan: plan)
        for batch in batches {
            let bytes = plan.needsBytes ? try await context.store.messageBytes(batch.map(\.content)) : [:]
            let structures =
                plan.usesStoredStructure
                ? try await context.store.structures(
                    in: selected.folder.id, uids: batch[0].uid...batch[batch.count - 1].uid)
                : ContentStructures()
            for summary in batch {
                guard let seq = selected.sequenceNumber(of: summary.uid), !selected.isGone(summary.uid) else {
                    continue
                }
                var view: IMAPMessageView?
                if plan.needsBytes || (plan.usesStoredStructure && !structures.contains(summary.uid)) {
                    // Bytes come with the batch; a message stored before structures were kept
                    // is read alone. Missing either way: removed meanwhile, so left out.
                    let data: Data?
                    if let batched = bytes[summary.content] {
                        data = batched
                    } else {
                        data = try await context.store.messageBytes(summary.content)
                    }
                    guard let data else { continue }
                    view = IMAPMessageView(data, rev2: context.rev2)
                }
                selected.remember(summary)
                let recent = selected.isRecent(summary.uid)
                if view == nil {
                    // Rows only (flags, dates, sizes, kept structures): nothing can fail half-way,
                    // so the response is written straight into the reply.
                    context.output.raw("* ")
                    context.output.number(seq)
                    context.output.raw(" FETCH (")
                    for index in items.indices {
                        if index > 0 { context.output.raw(" ") }
                        try render(items[index], summary, nil, structures, recent: recent, &context.output)
                    }
                    context.output.raw(")\r\n")
                    try await context.flush()
                    continue
                }
                // Sized for the message up front: growing by doubling would copy it several times.
                let size = (view?.data.count ?? 0) + 1024
                func response(_ writer: inout IMAPResponseWriter) throws {
                    writer.raw("* ")
                    writer.number(seq)
                    writer.raw(" FETCH (")
                    for index in items.indices {
                        if index > 0 { writer.raw(" ") }
                        try render(items[index], summary, view, structures, recent: recent, &writer)
                    }
                    writer.raw(")\r\n")
                }
                if size < IMAPCommandContext.sendAloneSize {
                    // Most messages: written into the reply itself, one copy of the bytes less.
                    try await context.appendInPlace(size: size, response)
                } else {
                    var writer = IMAPResponseWriter(capacity: size)
                    try response(&writer)
                    try await context.append(writer)
                }
            }
        }
        context.selected = selected
        return "OK FETCH completed"
    }

    private static func render(
        _ item: IMAPFetchItem, _ summary: MessageSummary, _ view: IMAPMessageView?,
        _ structures: ContentStructures, recent: Bool, _ writer: inout IMAPResponseWriter
    ) throws {
        switch item {
        case .flags:
            writer.raw("FLAGS ")
            writer.flags(summary.flags, summary.keywords, recent: recent)
        case .uid:
            writer.raw("UID ")
            writer.number(summary.uid)
        case .internalDate:
            writer.raw("INTERNALDATE \"")
            IMAPDateFormat.write(summary.internalDate, into: &writer.buffer)
            writer.raw("\"")
        case .rfc822Size:
            writer.raw("RFC822.SIZE ")
            writer.number(summary.size)
        case .modSeq:
            writer.raw("MODSEQ (")
            writer.number(summary.modSeq)
            writer.raw(")")
        case .rfc822:
            writer.raw("RFC822 ")
            writer.literal(view?.data ?? Data())
        case .rfc822Header:
            writer.raw("RFC822.HEADER ")
            writer.literal(try view?.section("HEADER", partial: nil) ?? [])
        case .rfc822Text:
            writer.raw("RFC822.TEXT ")
            writer.literal(try view?.section("TEXT", partial: nil) ?? [])
        case .envelope:
            writer.raw("ENVELOPE ")
            if let kept = structures.envelope(of: summary.uid) {
                writer.bytes(kept)
            } else {
                writer.bytes(view?.envelope ?? Array("NIL".utf8))
            }
        case .bodyStructure:
            writer.raw("BODYSTRUCTURE ")
            if let kept = structures.bodyStructure(of: summary.uid) {
                writer.bytes(kept)
            } else {
                writer.bytes(view?.bodyStructure(extensible: true) ?? [])
            }
        case .body:
            writer.raw("BODY ")
            writer.bytes(view?.bodyStructure(extensible: false) ?? [])
        case .section(let section, let partial, _):
            // RFC 3501 7.4.2: the reply names the section and, for a partial, only its origin.
            let name = "BODY[\(section)]" + (partial.map { "<\($0.origin)>" } ?? "") + " "
            if let whole = view?.wholeMessage(section, partial: partial) {
                writer.raw(name)
                writer.literal(whole)
            } else {
                let bytes = try view?.section(section, partial: partial) ?? []
                writer.raw(name)
                writer.literal(bytes)
            }
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

extension IMAPFetch {
    /// The summaries of the targets, both in UID order, by merging (no hashing per message).
    static func matching(_ summaries: [MessageSummary], _ targets: [(seq: Int, uid: MessageUID)]) -> [MessageSummary] {
        var result: [MessageSummary] = []
        result.reserveCapacity(min(summaries.count, targets.count))
        var next = targets.startIndex
        for summary in summaries {
            while next < targets.endIndex && targets[next].uid < summary.uid { next += 1 }
            guard next < targets.endIndex else { break }
            if targets[next].uid == summary.uid { result.append(summary) }
        }
        return result
    }

    /// What the requested items need from the store.
    struct Plan {
        /// Bytes for body sections, BODY, BINARY (and ENVELOPE/BODYSTRUCTURE under IMAP4rev2).
        let needsBytes: Bool
        /// ENVELOPE and BODYSTRUCTURE from the structure kept with each content (IMAP4rev1 form).
        let usesStoredStructure: Bool

        init(_ items: [IMAPFetchItem], rev2: Bool) {
            let structural = items.contains { $0 == .envelope || $0 == .bodyStructure }
            usesStoredStructure = structural && !rev2
            needsBytes = items.contains { item in
                switch item {
                case .envelope, .bodyStructure: rev2
                default: item.needsBytes
                }
            }
        }
    }

    /// Messages in groups read from the store together: by count for rows, and by size when
    /// their bytes are read, so that memory stays bounded whatever the mailbox holds.
    struct Batches: Sequence, IteratorProtocol {
        private var remaining: ArraySlice<MessageSummary>
        private let byteBudget: Int
        private let countLimit: Int

        init(_ summaries: [MessageSummary], plan: Plan) {
            remaining = summaries[...]
            byteBudget = plan.needsBytes ? 4 * 1024 * 1024 : .max
            countLimit = plan.needsBytes ? 256 : 2000
        }

        mutating func next() -> [MessageSummary]? {
            guard let first = remaining.first else { return nil }
            var batch = [first]
            var bytes = first.size
            remaining = remaining.dropFirst()
            while let next = remaining.first, batch.count < countLimit, bytes + next.size <= byteBudget {
                batch.append(next)
                bytes += next.size
                remaining = remaining.dropFirst()
            }
            return batch
        }
    }
}
