public import DNSClient

/// A parsed `v=spf1` record (RFC 7208 4.6, 12): directives in order plus its modifiers.
///
/// `parse(_:)` is total and strict: any syntax error anywhere makes the whole record invalid
/// (RFC 7208 4.6: "detect errors anywhere"), which the evaluator reports as `permerror`.
public struct SPFRecord: Hashable, Sendable, CustomStringConvertible {
    /// A directive's qualifier (RFC 7208 4.6.2).
    public enum Qualifier: UInt8, Hashable, Sendable {
        case pass = 0x2B  // +
        case fail = 0x2D  // -
        case softfail = 0x7E  // ~
        case neutral = 0x3F  // ?
    }

    /// A mechanism (RFC 7208 5); CIDR lengths are already defaulted (32 and 128).
    public enum Mechanism: Hashable, Sendable {
        case all
        case include(SPFMacroString)
        case a(SPFMacroString?, ip4Prefix: Int, ip6Prefix: Int)
        case mx(SPFMacroString?, ip4Prefix: Int, ip6Prefix: Int)
        case ptr(SPFMacroString?)
        case ip4(IPAddress, prefix: Int)
        case ip6(IPAddress, prefix: Int)
        case exists(SPFMacroString)

        /// Whether evaluating it costs one of the ten DNS-querying terms (RFC 7208 4.6.4).
        var queriesDNS: Bool {
            switch self {
            case .all, .ip4, .ip6: return false
            case .include, .a, .mx, .ptr, .exists: return true
            }
        }
    }

    /// A qualifier and a mechanism.
    public struct Directive: Hashable, Sendable, CustomStringConvertible {
        public var qualifier: Qualifier
        public var mechanism: Mechanism

        public init(_ qualifier: Qualifier = .pass, _ mechanism: Mechanism) {
            self.qualifier = qualifier
            self.mechanism = mechanism
        }

        /// The directive in record syntax, qualifier included only when not `+`.
        public var description: String {
            let prefix = qualifier == .pass ? "" : String(Character(Unicode.Scalar(qualifier.rawValue)))
            func dual(_ four: Int, _ six: Int) -> String {
                (four == 32 ? "" : "/\(four)") + (six == 128 ? "" : "//\(six)")
            }
            switch mechanism {
            case .all: return prefix + "all"
            case .include(let spec): return prefix + "include:\(spec)"
            case .a(let spec, let four, let six): return prefix + "a" + (spec.map { ":\($0)" } ?? "") + dual(four, six)
            case .mx(let spec, let four, let six):
                return prefix + "mx" + (spec.map { ":\($0)" } ?? "") + dual(four, six)
            case .ptr(let spec): return prefix + "ptr" + (spec.map { ":\($0)" } ?? "")
            case .ip4(let network, let length): return prefix + "ip4:\(network)" + (length == 32 ? "" : "/\(length)")
            case .ip6(let network, let length): return prefix + "ip6:\(network)" + (length == 128 ? "" : "/\(length)")
            case .exists(let spec): return prefix + "exists:\(spec)"
            }
        }
    }

    /// A modifier other than `redirect` and `exp`: kept, checked for syntax, otherwise ignored (RFC 7208 6).
    public struct UnknownModifier: Hashable, Sendable {
        public var name: String
        public var value: SPFMacroString
    }

    /// The directives, in record order.
    public var directives: [Directive]
    /// `redirect=` (RFC 7208 6.1).
    public var redirect: SPFMacroString?
    /// `exp=` (RFC 7208 6.2).
    public var explanation: SPFMacroString?
    /// Other modifiers, in record order.
    public var unknownModifiers: [UnknownModifier]

    /// A record from its parts.
    public init(
        directives: [Directive], redirect: SPFMacroString? = nil, explanation: SPFMacroString? = nil,
        unknownModifiers: [UnknownModifier] = []
    ) {
        self.directives = directives
        self.redirect = redirect
        self.explanation = explanation
        self.unknownModifiers = unknownModifiers
    }

    /// The longest record parsed; a TXT RRset over UDP or TCP cannot carry more in practice.
    public static let maximumLength = 65_535

    /// Whether joined TXT strings select as an SPF record: `v=spf1` (any case) then a space or the end (RFC 7208 4.5).
    public static func isVersion1(_ bytes: some Collection<UInt8>) -> Bool {
        let version = Array("v=spf1".utf8)
        var iterator = bytes.makeIterator()
        for expected in version {
            guard let byte = iterator.next(), DNSNameCase.lower(byte) == expected else { return false }
        }
        guard let next = iterator.next() else { return true }
        return next == 0x20
    }

    /// The record in canonical text: `parse(Array(description.utf8)) == self`.
    public var description: String {
        var terms = ["v=spf1"] + directives.map(\.description)
        if let redirect { terms.append("redirect=\(redirect)") }
        if let explanation { terms.append("exp=\(explanation)") }
        terms += unknownModifiers.map { "\($0.name)=\($0.value)" }
        return terms.joined(separator: " ")
    }

    /// Parses a whole record, `v=spf1` included.
    public static func parse(_ bytes: some Collection<UInt8>) throws(SPFSyntaxError) -> SPFRecord {
        let bytes = Array(bytes)
        guard bytes.count <= maximumLength else { throw .recordTooLong }
        guard isVersion1(bytes) else { throw .notSPFVersion1 }
        var record = SPFRecord(directives: [])
        // RFC 7208 4.6.1: terms are separated by one or more SP; nothing else is whitespace.
        for term in bytes[6...].split(separator: 0x20, omittingEmptySubsequences: true) {
            if let byte = term.first(where: { $0 < 0x21 || $0 > 0x7E }) { throw .invalidCharacter(byte) }
            try record.add(term)
        }
        return record
    }

    /// Fuzz entry point: parsing must not trap, and a parsed record must survive printing and parsing unchanged.
    public static func fuzz(_ bytes: UnsafeRawBufferPointer) {
        var input = Array("v=spf1 ".utf8)
        input += bytes
        for candidate in [Array(bytes), input] {
            guard let record = try? parse(candidate) else { continue }
            let again = try? parse(Array(record.description.utf8))
            precondition(again == record, "SPF record round trip changed the record")
        }
    }

    private mutating func add(_ term: ArraySlice<UInt8>) throws(SPFSyntaxError) {
        let text = String(decoding: term, as: UTF8.self)
        // RFC 7208 4.6.1: a modifier is `name "=" macro-string` with name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ).
        if let equals = term.firstIndex(of: UInt8(ascii: "=")), Self.isModifierName(term[term.startIndex..<equals]) {
            let name = String(decoding: term[term.startIndex..<equals], as: UTF8.self)
            let value = term[(equals + 1)...]
            switch name.lowercased() {
            case "redirect":
                guard redirect == nil else { throw .duplicateModifier("redirect") }
                redirect = try SPFMacroString.parse(value, context: .domainSpec)
            case "exp":
                guard explanation == nil else { throw .duplicateModifier("exp") }
                explanation = try SPFMacroString.parse(value, context: .domainSpec)
            default:
                unknownModifiers.append(
                    UnknownModifier(name: name, value: try SPFMacroString.parse(value, context: .modifierValue)))
            }
            return
        }
        var body = term
        var qualifier = Qualifier.pass
        if let first = body.first, let q = Qualifier(rawValue: first) {
            qualifier = q
            body = body.dropFirst()
        }
        let nameEnd = body.firstIndex(where: { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "/") }) ?? body.endIndex
        let name = String(decoding: body[body.startIndex..<nameEnd], as: UTF8.self).lowercased()
        let rest = body[nameEnd...]
        let mechanism: Mechanism
        switch name {
        case "all":
            guard rest.isEmpty else { throw .invalidTerm(text) }
            mechanism = .all
        case "include":
            mechanism = .include(try Self.requiredDomainSpec(rest, text))
        case "exists":
            mechanism = .exists(try Self.requiredDomainSpec(rest, text))
        case "ptr":
            if rest.isEmpty {
                mechanism = .ptr(nil)
            } else {
                mechanism = .ptr(try Self.requiredDomainSpec(rest, text))
            }
        case "a", "mx":
            var spec = rest
            let (ip4, ip6) = try Self.dualCIDR(&spec)
            var domain: SPFMacroString?
            if !spec.isEmpty {
                domain = try Self.requiredDomainSpec(spec, text)
            }
            mechanism =
                name == "a" ? .a(domain, ip4Prefix: ip4, ip6Prefix: ip6) : .mx(domain, ip4Prefix: ip4, ip6Prefix: ip6)
        case "ip4", "ip6":
            guard rest.first == UInt8(ascii: ":") else { throw .invalidTerm(text) }
            let argument = rest.dropFirst()
            let slash = argument.firstIndex(of: UInt8(ascii: "/")) ?? argument.endIndex
            let isFour = name == "ip4"
            let addressText = argument[argument.startIndex..<slash]
            var prefix = isFour ? 32 : 128
            if slash < argument.endIndex {
                prefix = try Self.prefixLength(argument[(slash + 1)...], maximum: isFour ? 32 : 128)
            }
            if isFour {
                guard let value = IPAddress.v4(text: addressText) else { throw .invalidNetwork(text) }
                mechanism = .ip4(value, prefix: prefix)
            } else {
                guard let value = IPAddress.v6(text: addressText) else { throw .invalidNetwork(text) }
                mechanism = .ip6(value, prefix: prefix)
            }
        default:
            throw .unknownMechanism(text)
        }
        directives.append(Directive(qualifier, mechanism))
    }

    private static func isModifierName(_ name: ArraySlice<UInt8>) -> Bool {
        guard let first = name.first, DNSNameCase.isAlpha(first) else { return false }
        return name.allSatisfy {
            DNSNameCase.isAlpha($0) || DNSNameCase.isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
                || $0 == UInt8(ascii: ".")
        }
    }

    /// `":" domain-spec`, required.
    private static func requiredDomainSpec(_ rest: ArraySlice<UInt8>, _ term: String) throws(SPFSyntaxError)
        -> SPFMacroString
    {
        guard rest.first == UInt8(ascii: ":") else { throw .invalidTerm(term) }
        return try SPFMacroString.parse(rest.dropFirst(), context: .domainSpec)
    }

    /// Strips a trailing `dual-cidr-length` (RFC 7208 5.6) from `spec`, returning the lengths or their defaults.
    private static func dualCIDR(_ spec: inout ArraySlice<UInt8>) throws(SPFSyntaxError) -> (Int, Int) {
        var ip4 = 32
        var ip6 = 128
        func trailingDigits(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
            var start = s.endIndex
            while start > s.startIndex, DNSNameCase.isDigit(s[start - 1]) { start -= 1 }
            return s[start...]
        }
        var digits = trailingDigits(spec)
        var before = spec[spec.startIndex..<digits.startIndex]
        if !digits.isEmpty, before.suffix(2).elementsEqual("//".utf8) {
            ip6 = try prefixLength(digits, maximum: 128)
            spec = before.dropLast(2)
            digits = trailingDigits(spec)
            before = spec[spec.startIndex..<digits.startIndex]
        }
        if !digits.isEmpty, before.last == UInt8(ascii: "/") {
            ip4 = try prefixLength(digits, maximum: 32)
            spec = before.dropLast()
        }
        return (ip4, ip6)
    }

    /// RFC 7208 5.6: `"0" / %x31-39 0*1DIGIT` (IPv4) or `0*2DIGIT` (IPv6), at most `maximum`.
    private static func prefixLength(_ digits: ArraySlice<UInt8>, maximum: Int) throws(SPFSyntaxError) -> Int {
        let text = String(decoding: digits, as: UTF8.self)
        guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy(DNSNameCase.isDigit),
            digits.count == 1 || digits.first != UInt8(ascii: "0"), let value = Int(text), value <= maximum
        else { throw .invalidPrefixLength(text) }
        return value
    }
}

/// ASCII helpers shared by the SPF parsers.
enum DNSNameCase {
    static func lower(_ byte: UInt8) -> UInt8 {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) ? byte | 0x20 : byte
    }
    static func isAlpha(_ byte: UInt8) -> Bool {
        let lowered = byte | 0x20
        return lowered >= UInt8(ascii: "a") && lowered <= UInt8(ascii: "z")
    }
    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

extension IPAddress {
    /// Only dotted IPv4.
    static func v4(text: ArraySlice<UInt8>) -> IPAddress? {
        guard let address = IPAddress(String(decoding: text, as: UTF8.self)), address.isIPv4 else { return nil }
        return address
    }
    /// Only textual IPv6 (RFC 4291 2.2), including an IPv4-mapped form.
    static func v6(text: ArraySlice<UInt8>) -> IPAddress? {
        guard let address = IPAddress(String(decoding: text, as: UTF8.self)), !address.isIPv4 else { return nil }
        return address
    }
}
