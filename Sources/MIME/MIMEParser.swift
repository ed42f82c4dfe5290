// Builds the MIMEPart tree (RFC 2045, RFC 2046 5.1.1 and 5.2.1), leniently and within MIMELimits.

/// Parses a message into ``MIMEPart``s. Total: any bytes give a tree.
struct MIMEParser {
    let bytes: [UInt8]
    let limits: MIMELimits
    private var partCount = 0

    init(bytes: [UInt8], limits: MIMELimits) {
        self.bytes = bytes
        self.limits = limits
    }

    /// Parses the entity in `range`. `inDigest`: the parent is `multipart/digest` (RFC 2046 5.1.5).
    mutating func parseEntity(_ range: Range<Int>, depth: Int, inDigest: Bool) -> MIMEPart {
        partCount += 1
        let parsed = MIMEHeaderParser.parse(bytes, in: range, maxFields: limits.maximumHeaderFields)
        let body = min(parsed.bodyStart, range.upperBound)..<range.upperBound
        var contentType = inDigest ? MIMEContentType.defaultDigestPart : MIMEContentType.defaultText
        var explicit = false
        if let field = parsed.header.first("Content-Type") {
            // RFC 2045 5.2: an invalid Content-Type means text/plain; charset=us-ascii, even in a digest.
            if let parsedType = MIMEContentType.parse(field.unfoldedBytes) {
                contentType = parsedType
                explicit = true
            } else {
                contentType = .defaultText
            }
        }
        let canNest = depth < limits.maximumDepth && partCount < limits.maximumParts
        var content = MIMEPart.Content.single
        if contentType.isMultipart {
            if let boundary = contentType.rawParameter("boundary"), !boundary.isEmpty, boundary.count <= 998 {
                // Past the limits the body is not split, but IMAP's body-type-mpart still needs a part.
                content = .multipart(
                    canNest
                        ? parseChildren(of: body, boundary: boundary, depth: depth, contentType)
                        : [placeholder(after: body, depth: depth)])
            } else {
                // RFC 2046 5.1.1 requires a boundary; without one the body cannot be split, so it is one opaque
                // part, typed by RFC 2045 5.2's default so BODYSTRUCTURE stays well-formed.
                contentType = .defaultText
                explicit = false
            }
        } else if contentType.isEncapsulatedMessage, canNest {
            content = .message(parseEntity(body, depth: depth + 1, inDigest: false))
        }
        let countsLines = contentType.type == "text" || contentType.isEncapsulatedMessage
        return MIMEPart(
            range: range, headerRange: range.lowerBound..<body.lowerBound, bodyRange: body,
            header: parsed.header, contentType: contentType, hasExplicitContentType: explicit, content: content,
            bodyLineCount: countsLines ? lineCount(body) : 0)
    }

    private mutating func parseChildren(
        of body: Range<Int>, boundary: [UInt8], depth: Int, _ type: MIMEContentType
    ) -> [MIMEPart] {
        let ranges = MultipartSplitter.split(
            bytes, body: body, boundary: boundary,
            maximumParts: max(1, limits.maximumParts - partCount))
        var children: [MIMEPart] = []
        for childRange in ranges {
            children.append(parseEntity(childRange, depth: depth + 1, inDigest: type.subtype == "digest"))
        }
        if children.isEmpty {
            // No delimiter at all: the body stays readable as the multipart's TEXT.
            children.append(placeholder(after: body, depth: depth))
        }
        return children
    }

    /// IMAP's body-type-mpart needs one part: an empty text/plain part at the end of the body stands in
    /// (as Dovecot does).
    private mutating func placeholder(after body: Range<Int>, depth: Int) -> MIMEPart {
        parseEntity(body.upperBound..<body.upperBound, depth: depth + 1, inDigest: false)
    }

    private func lineCount(_ range: Range<Int>) -> Int {
        var count = 0
        for index in range where bytes[index] == ASCII.lf { count += 1 }
        if let last = range.last, bytes[last] != ASCII.lf { count += 1 }
        return count
    }
}

/// Finds body parts between RFC 2046 5.1.1 delimiter lines.
enum MultipartSplitter {
    /// The ranges of the body parts of a multipart body.
    ///
    /// - A delimiter line is `--boundary`, optionally `--` (close), then transport padding (WSP) only.
    /// - The line break before a delimiter belongs to the delimiter, not to the part before it.
    /// - The preamble before the first delimiter and the epilogue after the close delimiter are skipped.
    /// - A missing close delimiter ends the last part at the end of the body, less a final line break.
    /// - At `maximumParts` the last part runs to the end of the body.
    static func split(_ bytes: [UInt8], body: Range<Int>, boundary: [UInt8], maximumParts: Int) -> [Range<Int>] {
        var parts: [Range<Int>] = []
        var partStart: Int?
        var position = body.lowerBound
        while position < body.upperBound {
            let line = bytes.line(at: position, limit: body.upperBound)
            if let isClose = delimiter(bytes, line, boundary) {
                // Consecutive delimiter lines enclose no body part (Python's email package reads RFC 2046's
                // grammar the same way: the CRLF before a delimiter cannot also end the previous one).
                if let start = partStart, start < line.start {
                    parts.append(start..<endBeforeLineBreak(bytes, start, line.start))
                    if parts.count >= maximumParts - 1 && !isClose {
                        parts.append(line.end..<body.upperBound)
                        return parts
                    }
                }
                if isClose { return parts }
                partStart = line.end
            }
            position = line.end
        }
        if let start = partStart {
            // No close delimiter: the last line break would have preceded it, so it is not body (as Python's
            // email package reads it).
            parts.append(start..<endBeforeLineBreak(bytes, start, body.upperBound))
        }
        return parts
    }

    /// `end` moved back over one CRLF or bare LF, but not before `start`.
    private static func endBeforeLineBreak(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Int {
        var end = end
        if end > start, bytes[end - 1] == ASCII.lf {
            end -= 1
            if end > start, bytes[end - 1] == ASCII.cr { end -= 1 }
        }
        return end
    }

    /// nil when `line` is no delimiter for `boundary`; otherwise whether it is the close delimiter.
    private static func delimiter(_ bytes: [UInt8], _ line: Line, _ boundary: [UInt8]) -> Bool? {
        let length = line.contentEnd - line.start
        guard length >= boundary.count + 2, bytes[line.start] == ASCII.dash, bytes[line.start + 1] == ASCII.dash
        else { return nil }
        let boundaryEnd = line.start + 2 + boundary.count
        guard bytes[(line.start + 2)..<boundaryEnd].elementsEqual(boundary) else { return nil }
        var index = boundaryEnd
        var isClose = false
        if index + 1 < line.contentEnd, bytes[index] == ASCII.dash, bytes[index + 1] == ASCII.dash {
            isClose = true
            index += 2
        }
        while index < line.contentEnd {
            guard ASCII.isWhitespace(bytes[index]) else { return nil }
            index += 1
        }
        return isClose
    }
}
