import DNSClient

extension SPFCheck {
    /// The longest domain a domain-spec may expand to before left labels are dropped (RFC 7208 7.3).
    static let maximumDomainLength = 253

    /// Expands a domain-spec and shortens it to 253 characters by dropping leftmost labels (RFC 7208 7.3).
    mutating func expandDomain(_ spec: SPFMacroString, domain: String) async throws(SPFAbort) -> String {
        var expanded = Substring(await expand(spec, domain: domain))
        while expanded.utf8.count > Self.maximumDomainLength {
            guard let dot = expanded.firstIndex(of: ".") else {
                throw .permanent("expanded domain is too long")
            }
            expanded = expanded[expanded.index(after: dot)...]
        }
        return String(expanded)
    }

    /// Expands every macro of `string` (RFC 7208 7.3); `domain` is the current `<domain>`.
    mutating func expand(_ string: SPFMacroString, domain: String) async -> String {
        var out = ""
        for piece in string.pieces {
            switch piece {
            case .literal(let text):
                out += text
            case .macro(let macro):
                let value = await value(of: macro.letter, domain: domain)
                let transformed = Self.transform(value, macro)
                out += macro.isURLEscaped ? Self.urlEscaped(transformed) : transformed
            }
        }
        return out
    }

    /// RFC 7208 7.3: the value of one macro letter.
    mutating func value(of letter: SPFMacroString.Letter, domain: String) async -> String {
        switch letter {
        case .sender: return sender
        case .localPart: return localPart
        case .senderDomain: return senderDomain
        case .domain: return domain
        case .ip:
            switch ip {
            case .v4: return ip.description
            case .v6:
                // RFC 7208 7.3: IPv6 as dot-separated nibbles. Uppercase hex, as the openspf RFC 7208 test
                // suite's v-macro-ip6 expects; DNS compares names case-insensitively, so queries are unaffected.
                var nibbles: [String] = []
                for byte in ip.bytes {
                    nibbles.append(String(UnicodeScalar(Self.hexDigit(byte >> 4, uppercase: true))))
                    nibbles.append(String(UnicodeScalar(Self.hexDigit(byte & 0x0F, uppercase: true))))
                }
                return nibbles.joined(separator: ".")
            }
        case .validatedDomain:
            return await validatedDomain(domain: domain)
        case .ipVersion: return ip.isIPv4 ? "in-addr" : "ip6"
        case .helo: return helo
        case .clientIP: return ip.description
        case .receiver: return receiver.isEmpty ? "unknown" : receiver
        case .timestamp: return String(evaluator.timestamp())
        }
    }

    /// RFC 7208 7.3 `%{p}`: a validated PTR name, preferring `<domain>` itself, then a subdomain, else any;
    /// "unknown" if none or on error. The lookups do not count against the limits (RFC 7208 4.6.4 counts terms).
    mutating func validatedDomain(domain: String) async -> String {
        guard let names = try? await validatedNames(within: nil, countsVoid: false), !names.isEmpty else {
            return "unknown"
        }
        if let target = DNSName(domain) {
            if let exact = names.first(where: { $0 == target }) { return exact.description }
            if let below = names.first(where: { $0.isSubdomain(of: target) }) { return below.description }
        }
        return names[0].description
    }

    /// RFC 7208 7.3: split on the delimiters (default "."), reverse if asked, keep the rightmost parts, join with ".".
    static func transform(_ value: String, _ macro: SPFMacroString.Macro) -> String {
        guard macro.rightmostParts != nil || macro.isReversed || !macro.delimiters.isEmpty else { return value }
        let delimiters = macro.delimiters.isEmpty ? [UInt8(ascii: ".")] : macro.delimiters
        var parts = Array(value.utf8).split(omittingEmptySubsequences: false, whereSeparator: delimiters.contains)
        if macro.isReversed { parts.reverse() }
        if let keep = macro.rightmostParts, keep < parts.count { parts = Array(parts.suffix(keep)) }
        return parts.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".")
    }

    /// RFC 7208 7.3: uppercase macros are URL-escaped (RFC 3986 unreserved characters stay).
    static func urlEscaped(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            let isUnreserved =
                DNSNameCase.isAlpha(byte) || DNSNameCase.isDigit(byte) || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
            if isUnreserved {
                out.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                out += "%"
                out.unicodeScalars.append(UnicodeScalar(hexDigit(byte >> 4, uppercase: true)))
                out.unicodeScalars.append(UnicodeScalar(hexDigit(byte & 0x0F, uppercase: true)))
            }
        }
        return out
    }

    /// RFC 7208 6.2: the explanation for a `fail`: the `exp=` TXT record expanded, or the default when there is
    /// no `exp=`, its lookup fails or gives anything but one record, or the text is not valid ASCII macro text.
    mutating func explanation(for outcome: Outcome) async -> String {
        if let (spec, domain) = outcome.explanation, let text = await explanationText(spec, domain: domain) {
            return text
        }
        guard let standard = evaluator.defaultExplanation else { return evaluator.defaultExplanationText }
        return await expand(standard, domain: senderDomain)
    }

    private mutating func explanationText(_ spec: SPFMacroString, domain: String) async -> String? {
        guard let target = try? await expandDomain(spec, domain: domain), let name = DNSName(target),
            case .records(let records) = await resolver.lookup(name, .txt), records.count == 1,
            case .txt(let strings) = records[0]
        else { return nil }
        let joined = Array(strings.joined())
        guard let text = try? SPFMacroString.parse(joined, context: .explanation) else { return nil }
        return await expand(text, domain: domain)
    }
}
