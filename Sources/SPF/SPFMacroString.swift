/// A parsed RFC 7208 section 7 macro-string: literals and `%{...}` expansions.
///
/// Parsing is total and checks what section 7.1 and 4.6.1 require: only `%%`, `%_`, `%-` and
/// `%{letter *digit ["r"] *delimiter}` after `%`; only visible ASCII; letters `c`, `r`, `t` only in
/// explanation text; a non-zero digit transformer; and, for a domain-spec, a valid domain-end.
public struct SPFMacroString: Hashable, Sendable, CustomStringConvertible {
    /// Where a macro-string appears, which decides the letters and characters allowed.
    public enum Context: Sendable {
        /// A mechanism's or `redirect`/`exp` target: letters `slodipvh`, must end in a domain-end.
        case domainSpec
        /// An unknown modifier's value: letters `slodipvh`.
        case modifierValue
        /// The TXT record `exp=` names: any letter, and spaces.
        case explanation
    }

    /// One macro letter (RFC 7208 7.2).
    public enum Letter: UInt8, Hashable, Sendable {
        case sender = 0x73  // s
        case localPart = 0x6C  // l
        case senderDomain = 0x6F  // o
        case domain = 0x64  // d
        case ip = 0x69  // i
        case validatedDomain = 0x70  // p
        case ipVersion = 0x76  // v
        case helo = 0x68  // h
        case clientIP = 0x63  // c
        case receiver = 0x72  // r
        case timestamp = 0x74  // t

        var isExplanationOnly: Bool { self == .clientIP || self == .receiver || self == .timestamp }
    }

    /// One `%{...}` expansion.
    public struct Macro: Hashable, Sendable {
        public var letter: Letter
        /// Keep only this many rightmost parts (RFC 7208 7.3); `nil` keeps all.
        public var rightmostParts: Int?
        public var isReversed: Bool
        /// Split characters; empty means `.`.
        public var delimiters: [UInt8]
        /// An uppercase letter asks for URL escaping (RFC 7208 7.3).
        public var isURLEscaped: Bool
    }

    /// A literal run or an expansion.
    public enum Piece: Hashable, Sendable {
        case literal(String)
        case macro(Macro)
    }

    /// The pieces, adjacent literals merged.
    public var pieces: [Piece]

    /// The most parts a digit transformer keeps; larger numbers mean "all" anyway (a domain has at most 127 labels).
    static let maximumParts = 128

    /// The macro-string re-encoded: `%%` for `%`, `%_` for space, so `parse(description) == self`.
    public var description: String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .literal(let text):
                // "%20" prints as "%-" so that a domain-spec that ended in "%-" still ends in a macro-expand.
                var rest = Substring(text)
                while let character = rest.first {
                    if rest.hasPrefix("%20") {
                        out += "%-"
                        rest = rest.dropFirst(3)
                        continue
                    }
                    switch character {
                    case "%": out += "%%"
                    case " ": out += "%_"
                    default: out.append(character)
                    }
                    rest = rest.dropFirst()
                }
            case .macro(let macro):
                out += "%{"
                let letter = Character(Unicode.Scalar(macro.letter.rawValue))
                out += macro.isURLEscaped ? letter.uppercased() : String(letter)
                if let parts = macro.rightmostParts { out += String(parts) }
                if macro.isReversed { out += "r" }
                out += String(decoding: macro.delimiters, as: UTF8.self)
                out += "}"
            }
        }
        return out
    }

    /// Parses `bytes` as a macro-string in `context`.
    public static func parse(_ bytes: some Collection<UInt8>, context: Context) throws(SPFSyntaxError) -> SPFMacroString
    {
        let bytes = Array(bytes)
        var pieces: [Piece] = []
        var literal: [UInt8] = []
        // Whether the last thing parsed was a macro-expand (for RFC 7208 7.1's domain-end rule).
        var endsWithExpand = false
        var literalSinceExpand: [UInt8] = []
        func flush() {
            if !literal.isEmpty {
                pieces.append(.literal(String(decoding: literal, as: UTF8.self)))
                literal = []
            }
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 1 < bytes.count else { throw .invalidMacro("a lone % at the end") }
                let next = bytes[index + 1]
                index += 2
                endsWithExpand = true
                literalSinceExpand = []
                switch next {
                case UInt8(ascii: "%"): literal.append(UInt8(ascii: "%"))
                case UInt8(ascii: "_"): literal.append(UInt8(ascii: " "))
                case UInt8(ascii: "-"): literal += Array("%20".utf8)
                case UInt8(ascii: "{"):
                    let (macro, end) = try parseMacro(bytes, from: index, context: context)
                    flush()
                    pieces.append(.macro(macro))
                    index = end
                default:
                    throw .invalidMacro("%\(Character(Unicode.Scalar(next)))")
                }
                continue
            }
            // RFC 7208 7.1: macro-literal is %x21-24 / %x26-7E; explain-string also allows SP.
            let isVisible = byte >= 0x21 && byte <= 0x7E
            guard isVisible || (byte == 0x20 && context == .explanation) else {
                throw .invalidCharacter(byte)
            }
            literal.append(byte)
            literalSinceExpand.append(byte)
            endsWithExpand = false
            index += 1
        }
        flush()
        if context == .domainSpec {
            guard !bytes.isEmpty else { throw .emptyDomainSpec }
            guard endsWithExpand || isValidDomainEnd(literalSinceExpand) else {
                throw .invalidDomainSpec(String(decoding: bytes, as: UTF8.self))
            }
        }
        return SPFMacroString(pieces: pieces)
    }

    init(pieces: [Piece]) {
        self.pieces = pieces
    }

    /// Parses `letter *digit ["r"] *delimiter "}"` starting after `%{`; returns the index after `}`.
    private static func parseMacro(_ bytes: [UInt8], from start: Int, context: Context) throws(SPFSyntaxError)
        -> (Macro, Int)
    {
        var index = start
        guard index < bytes.count else { throw .invalidMacro("%{ without a letter") }
        let raw = bytes[index]
        let isUpper = raw >= UInt8(ascii: "A") && raw <= UInt8(ascii: "Z")
        guard let letter = Letter(rawValue: isUpper ? raw | 0x20 : raw) else {
            throw .invalidMacro("unknown macro letter \(Character(Unicode.Scalar(raw)))")
        }
        if letter.isExplanationOnly && context != .explanation {
            throw .invalidMacro("macro letter \(Character(Unicode.Scalar(raw))) is only allowed in explanations")
        }
        index += 1
        var digits: Int?
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            let value = Int(bytes[index] - UInt8(ascii: "0"))
            digits = min((digits ?? 0) * 10 + value, 10 * maximumParts)
            index += 1
        }
        if let digits, digits == 0 { throw .invalidMacro("a zero digit transformer") }
        var isReversed = false
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "r") {
            isReversed = true
            index += 1
        }
        var delimiters: [UInt8] = []
        while index < bytes.count, Array(".-+,/_=".utf8).contains(bytes[index]) {
            delimiters.append(bytes[index])
            index += 1
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "}") else { throw .invalidMacro("unterminated %{") }
        let macro = Macro(
            letter: letter, rightmostParts: digits.map { min($0, maximumParts) }, isReversed: isReversed,
            delimiters: delimiters, isURLEscaped: isUpper)
        return (macro, index + 1)
    }

    /// RFC 7208 7.1: `domain-end = ( "." toplabel [ "." ] ) / macro-expand`, checked on the literal tail.
    static func isValidDomainEnd(_ tail: [UInt8]) -> Bool {
        var tail = tail[...]
        if tail.last == UInt8(ascii: ".") { tail = tail.dropLast() }
        guard let dot = tail.lastIndex(of: UInt8(ascii: ".")) else { return false }
        return isValidTopLabel(tail[(dot + 1)...])
    }

    /// RFC 7208 7.1: `toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )`.
    static func isValidTopLabel(_ label: ArraySlice<UInt8>) -> Bool {
        func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") }
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        guard let first = label.first, let last = label.last else { return false }
        guard label.allSatisfy({ isAlpha($0) || isDigit($0) || $0 == UInt8(ascii: "-") }) else { return false }
        if label.contains(UInt8(ascii: "-")) {
            return (isAlpha(first) || isDigit(first)) && (isAlpha(last) || isDigit(last))
        }
        return label.contains(where: isAlpha)
    }
}

/// Why an SPF record (or a macro-string in it) is not valid; every case makes the result `permerror`.
public enum SPFSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    case notSPFVersion1
    case invalidCharacter(UInt8)
    case unknownMechanism(String)
    case invalidTerm(String)
    case invalidMacro(String)
    case emptyDomainSpec
    case invalidDomainSpec(String)
    case invalidNetwork(String)
    case invalidPrefixLength(String)
    case duplicateModifier(String)
    case invalidModifierName(String)
    case recordTooLong

    public var description: String {
        switch self {
        case .notSPFVersion1: return "record does not start with v=spf1"
        case .invalidCharacter(let byte): return "invalid character 0x\(String(byte, radix: 16)) in record"
        case .unknownMechanism(let name): return "unknown mechanism \(name)"
        case .invalidTerm(let term): return "invalid term \(term)"
        case .invalidMacro(let why): return "invalid macro: \(why)"
        case .emptyDomainSpec: return "empty domain-spec"
        case .invalidDomainSpec(let spec): return "invalid domain-spec \(spec)"
        case .invalidNetwork(let text): return "invalid IP network \(text)"
        case .invalidPrefixLength(let text): return "invalid CIDR length \(text)"
        case .duplicateModifier(let name): return "modifier \(name) appears more than once"
        case .invalidModifierName(let name): return "invalid modifier name \(name)"
        case .recordTooLong: return "record too long"
        }
    }
}
