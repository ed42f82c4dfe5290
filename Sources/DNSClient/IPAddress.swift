/// An IPv4 or IPv6 address, parsed strictly and printed canonically.
///
/// Parsing is total: any string gives an address or `nil`, never a trap. IPv4 accepts exactly four
/// decimal parts without leading zeros; IPv6 follows RFC 4291 2.2 (one `::`, an optional trailing
/// dotted IPv4) and prints as RFC 5952 4 recommends.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 address, most significant byte first.
    case v4(UInt32)
    /// An IPv6 address as 16 bytes in network order.
    case v6(IPv6Bytes)

    /// Sixteen bytes of an IPv6 address; a value type so `IPAddress` stays `Hashable` and `Sendable`.
    public struct IPv6Bytes: Hashable, Sendable {
        /// The address, network order.
        public var bytes: [UInt8]
        /// Wraps exactly 16 bytes; returns `nil` for any other count.
        public init?(_ bytes: [UInt8]) {
            guard bytes.count == 16 else { return nil }
            self.bytes = bytes
        }
    }

    /// Parses dotted IPv4 or textual IPv6; `nil` when the text is neither.
    public init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        if let v4 = Self.parseIPv4(utf8[...]) {
            self = .v4(v4)
        } else if let v6 = Self.parseIPv6(utf8), let bytes = IPv6Bytes(v6) {
            self = .v6(bytes)
        } else {
            return nil
        }
    }

    /// The address as bytes, network order: 4 for IPv4, 16 for IPv6.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let value):
            return [
                UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value),
            ]
        case .v6(let value):
            return value.bytes
        }
    }

    /// Whether this is an IPv4 address.
    public var isIPv4: Bool {
        if case .v4 = self { return true }
        return false
    }

    /// The embedded IPv4 address of an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, RFC 4291 2.5.5.2), else `self`.
    public var unmappingIPv4: IPAddress {
        guard case .v6(let v6) = self else { return self }
        let b = v6.bytes
        guard b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xFF, b[11] == 0xFF else { return self }
        return .v4(UInt32(b[12]) << 24 | UInt32(b[13]) << 16 | UInt32(b[14]) << 8 | UInt32(b[15]))
    }

    /// Whether `other` lies in the network `self/prefixLength`; addresses of different families never match.
    ///
    /// A prefix longer than the address is treated as the full length.
    public func contains(_ other: IPAddress, prefixLength: Int) -> Bool {
        let mine = bytes
        let theirs = other.bytes
        guard mine.count == theirs.count else { return false }
        var remaining = max(0, min(prefixLength, mine.count * 8))
        var index = 0
        while remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if mine[index] & mask != theirs[index] & mask { return false }
            remaining -= bits
            index += 1
        }
        return true
    }

    /// Dotted decimal for IPv4; RFC 5952 text (lowercase, longest zero run compressed) for IPv6.
    public var description: String {
        switch self {
        case .v4:
            return bytes.map { String($0) }.joined(separator: ".")
        case .v6(let value):
            return Self.formatIPv6(value.bytes)
        }
    }

    static func parseIPv4(_ text: ArraySlice<UInt8>) -> UInt32? {
        var result: UInt32 = 0
        var parts = 0
        var digits = 0
        var part: UInt32 = 0
        for byte in text {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                // RFC 7208 5.6 / inet_pton: no leading zeros, each part 0...255.
                if digits == 1 && part == 0 { return nil }
                part = part * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                if digits > 3 || part > 255 { return nil }
            case UInt8(ascii: "."):
                guard digits > 0, parts < 3 else { return nil }
                result = result << 8 | part
                parts += 1
                digits = 0
                part = 0
            default:
                return nil
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        return result << 8 | part
    }

    static func parseIPv6(_ text: [UInt8]) -> [UInt8]? {
        guard text.count >= 2, text.count <= 45 else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        var index = 0
        if text.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            sawGap = true
            index = 2
        } else if text[0] == UInt8(ascii: ":") {
            return nil
        }
        var v4Tail: UInt32?
        while index < text.count {
            // One group: up to four hex digits, or a final dotted IPv4.
            var end = index
            while end < text.count, text[end] != UInt8(ascii: ":") { end += 1 }
            let group = text[index..<end]
            if group.contains(UInt8(ascii: ".")) {
                guard end == text.count, let v4 = parseIPv4(group) else { return nil }
                v4Tail = v4
                index = end
                break
            }
            guard !group.isEmpty, group.count <= 4 else { return nil }
            var value: UInt16 = 0
            for byte in group {
                guard let nibble = hexValue(byte) else { return nil }
                value = value << 4 | UInt16(nibble)
            }
            if sawGap { tail.append(value) } else { head.append(value) }
            index = end
            if index < text.count {
                // Skip ":" or "::".
                index += 1
                guard index < text.count else { return nil }
                if text[index] == UInt8(ascii: ":") {
                    guard !sawGap else { return nil }
                    sawGap = true
                    index += 1
                }
            }
        }
        var groups = head.count + tail.count
        if v4Tail != nil { groups += 2 }
        if sawGap {
            guard groups <= 7 else { return nil }
        } else {
            guard groups == 8 else { return nil }
        }
        var words = head
        if sawGap { words += Array(repeating: 0, count: 8 - groups) }
        words += tail
        if let v4 = v4Tail {
            words.append(UInt16(truncatingIfNeeded: v4 >> 16))
            words.append(UInt16(truncatingIfNeeded: v4))
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for word in words {
            bytes.append(UInt8(truncatingIfNeeded: word >> 8))
            bytes.append(UInt8(truncatingIfNeeded: word))
        }
        return bytes
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    static func formatIPv6(_ bytes: [UInt8]) -> String {
        var words: [UInt16] = []
        for i in stride(from: 0, to: 16, by: 2) { words.append(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])) }
        // RFC 5952 5: IPv4-mapped addresses keep the dotted tail.
        if words[0..<5].allSatisfy({ $0 == 0 }) && words[5] == 0xFFFF {
            return "::ffff:" + bytes[12..<16].map { String($0) }.joined(separator: ".")
        }
        // RFC 5952 4.2: compress the longest run of two or more zero words, the first on a tie.
        var bestStart = -1
        var bestLength = 1
        var runStart = -1
        for i in 0...8 {
            if i < 8 && words[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength {
                    bestStart = runStart
                    bestLength = i - runStart
                }
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            words[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}
