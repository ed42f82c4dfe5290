/// RFC 3501 5.1.3 modified UTF-7 for mailbox names: `&` shifts to modified base64 of UTF-16,
/// `-` shifts back, `&-` is a literal `&`.
public enum ModifiedUTF7 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)

    /// Encodes a name for the wire.
    public static func encode(_ name: String) -> String {
        var out = ""
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            var bytes: [UInt8] = []
            for unit in pending { bytes += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
            out += "&"
            var index = 0
            while index < bytes.count {
                let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
                let value = chunk.enumerated().reduce(0) { $0 | (Int($1.element) << (16 - 8 * $1.offset)) }
                let characters = chunk.count + 1
                for position in 0..<characters {
                    out.append(Character(Unicode.Scalar(alphabet[(value >> (18 - 6 * position)) & 0x3F])))
                }
                index += 3
            }
            out += "-"
            pending = []
        }
        for scalar in name.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value <= 0x7E {
                flush()
                out += scalar == "&" ? "&-" : String(scalar)
            } else {
                pending += Array(String(scalar).utf16)
            }
        }
        flush()
        return out
    }

    /// Decodes a name from the wire; nil when malformed. Raw 8-bit UTF-8 is accepted as is
    /// (clients that skip the encoding, RFC 6855 UTF8=ACCEPT).
    public static func decode(_ bytes: [UInt8]) -> String? {
        var out = ""
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "&") else {
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "&") { index += 1 }
                guard let text = String(validating: bytes[start..<index], as: UTF8.self) else { return nil }
                out += text
                continue
            }
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count else { return nil }
            if index == start {
                out += "&"
                index += 1
                continue
            }
            var bits = 0
            var bitCount = 0
            var units: [UInt16] = []
            for character in bytes[start..<index] {
                guard let value = alphabet.firstIndex(of: character) else { return nil }
                bits = (bits << 6) | value
                bitCount += 6
                if bitCount >= 16 {
                    bitCount -= 16
                    units.append(UInt16((bits >> bitCount) & 0xFFFF))
                    bits &= (1 << bitCount) - 1
                }
            }
            guard let text = String(validating: units, as: UTF16.self) else { return nil }
            out += text
            index += 1
        }
        return out
    }
}
