// Charset decoding for RFC 2047 words and RFC 2231 values. Built-in tables for the common single-byte
// charsets keep results identical on every platform; Foundation covers the rest.
import Foundation

/// Decodes bytes in a named charset (IANA names, case-insensitive).
public enum Charsets {
    /// The text of `bytes` in `charset`, or nil when the charset is unknown or the bytes are invalid in it.
    ///
    /// Built in: utf-8, us-ascii, iso-8859-1, iso-8859-15, windows-1252 (and their aliases). Others go through
    /// Foundation's `String.Encoding` when it knows them.
    public static func decode(_ bytes: [UInt8], charset: String) -> String? {
        let name = charset.lowercased().trimmingCharacters(in: .whitespaces)
        switch name {
        case "utf-8", "utf8":
            return String(validating: bytes, as: UTF8.self)
        case "us-ascii", "ascii", "ansi_x3.4-1968":
            // Real-world leniency: 8-bit bytes labelled us-ascii are almost always UTF-8 or Latin-1.
            return headerText(bytes)
        case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso_8859-1":
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case "iso-8859-15", "iso8859-15", "latin-9", "latin9":
            return String(String.UnicodeScalarView(bytes.map(latin9Scalar)))
        case "windows-1252", "cp1252", "x-cp1252":
            return String(String.UnicodeScalarView(bytes.map(windows1252Scalar)))
        default:
            guard let encoding = foundationEncodings[name] else { return nil }
            return String(data: Data(bytes), encoding: encoding)
        }
    }

    private static let foundationEncodings: [String: String.Encoding] = [
        "iso-8859-2": .isoLatin2, "windows-1250": .windowsCP1250, "windows-1251": .windowsCP1251,
        "windows-1253": .windowsCP1253, "windows-1254": .windowsCP1254, "shift_jis": .shiftJIS,
        "euc-jp": .japaneseEUC, "iso-2022-jp": .iso2022JP, "utf-16": .utf16, "utf-16be": .utf16BigEndian,
        "utf-16le": .utf16LittleEndian, "utf-32": .utf32,
    ]

    private static func latin9Scalar(_ byte: UInt8) -> Unicode.Scalar {
        let replacements: [UInt8: UInt32] = [
            0xA4: 0x20AC, 0xA6: 0x0160, 0xA8: 0x0161, 0xB4: 0x017D, 0xB8: 0x017E, 0xBC: 0x0152, 0xBD: 0x0153,
            0xBE: 0x0178,
        ]
        return replacements[byte].flatMap(Unicode.Scalar.init) ?? Unicode.Scalar(byte)
    }

    /// WHATWG windows-1252: 0x80-0x9F map to typographic characters; unassigned ones stay C1 controls.
    private static let windows1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
        0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0x9D, 0x017E, 0x0178,
    ]

    private static func windows1252Scalar(_ byte: UInt8) -> Unicode.Scalar {
        guard (0x80...0x9F).contains(byte) else { return Unicode.Scalar(byte) }
        return Unicode.Scalar(windows1252High[Int(byte) - 0x80]) ?? Unicode.Scalar(byte)
    }
}
