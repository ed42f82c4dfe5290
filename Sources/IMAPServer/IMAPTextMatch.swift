import Foundation

/// RFC 3501 6.4.4's case-insensitive substring test, for SEARCH BODY and TEXT.
///
/// The general test decodes the bytes as UTF-8 and asks Foundation, which folds case the
/// Unicode way (`ß` matches `ss`). Most bodies are ASCII (base64, quoted-printable, plain
/// English), and most needles are too: for those, comparing bytes with ASCII case folding gives
/// the same answer some ten times faster. Any other byte sends the test the general way.
enum IMAPTextMatch {
    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: String) -> Bool {
        if let answer = asciiContains(haystack, needle) { return answer }
        return contains(String(decoding: haystack, as: UTF8.self), needle)
    }

    static func contains(_ haystack: String, _ needle: String) -> Bool {
        haystack.range(of: needle, options: [.caseInsensitive]) != nil
    }

    /// The answer when both sides are printable ASCII (tabs and line ends allowed in the
    /// haystack); nil otherwise.
    static func asciiContains(_ haystack: ArraySlice<UInt8>, _ needle: String) -> Bool? {
        let pattern = Array(needle.utf8).map(lowercased)
        // Control characters in the needle (a CR LF from a literal) are left to Foundation,
        // which sees "\r\n" differently from single bytes.
        guard !pattern.isEmpty, pattern.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        return haystack.withUnsafeBufferPointer { bytes -> Bool? in
            var found = false
            var index = 0
            let last = bytes.count - pattern.count
            // Every byte is checked for ASCII, also after a match: a non-ASCII byte anywhere
            // could fold to ASCII (U+212A KELVIN SIGN is "k"), so then Foundation decides.
            while index < bytes.count {
                let byte = bytes[index]
                guard byte < 0x80 else { return nil }
                if !found, index <= last, lowercased(byte) == pattern[0] {
                    var offset = 1
                    while offset < pattern.count, lowercased(bytes[index + offset]) == pattern[offset] { offset += 1 }
                    found = offset == pattern.count
                }
                index += 1
            }
            return found
        }
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}
