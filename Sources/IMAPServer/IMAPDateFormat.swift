public import Foundation
import MailgateCore
import NIOCore

/// A parsed RFC 3501 `date-time`.
struct IMAPDateTime: Sendable, Equatable {
    var date: Date
}

/// IMAP dates (RFC 3501 9 `date-time`: `"17-Jul-1996 02:44:25 -0700"`), without Foundation formatters
/// so the result never depends on the host's locale.
public enum IMAPDateFormat {
    /// The INTERNALDATE text (in UTC) for `date`.
    public static func format(_ date: Date) -> String {
        let (day, seconds) = split(date)
        let civil = CivilDate.date(ofDay: day)
        let hh = seconds / 3600
        let mm = seconds / 60 % 60
        let ss = seconds % 60
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let dd = civil.day < 10 ? " \(civil.day)" : "\(civil.day)"
        // RFC 3501 9: date-year is 4DIGIT.
        let year =
            civil.year >= 0 && civil.year < 1000 ? String(String(civil.year + 10_000).dropFirst()) : "\(civil.year)"
        return "\(dd)-\(CivilDate.monthNames[civil.month - 1])-\(year) \(two(hh)):\(two(mm)):\(two(ss)) +0000"
    }

    /// Writes the INTERNALDATE text of ``format(_:)`` into `buffer`, without making a string.
    static func write(_ date: Date, into buffer: inout ByteBuffer) {
        let (day, seconds) = split(date)
        let civil = CivilDate.date(ofDay: day)
        let month = monthBytes[civil.month - 1]
        let year = civil.year
        guard (0...9999).contains(year) else {
            buffer.writeString(format(date))
            return
        }
        func digit(_ value: Int) -> UInt8 { UInt8(truncatingIfNeeded: 48 + value) }
        let hh = seconds / 3600
        let mm = seconds / 60 % 60
        let ss = seconds % 60
        let text:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) = (
                civil.day < 10 ? 0x20 : digit(civil.day / 10), digit(civil.day % 10), 0x2D,
                month.0, month.1, month.2, 0x2D,
                digit(year / 1000), digit(year / 100 % 10), digit(year / 10 % 10), digit(year % 10), 0x20,
                digit(hh / 10), digit(hh % 10), 0x3A, digit(mm / 10), digit(mm % 10), 0x3A, digit(ss / 10),
                digit(ss % 10), 0x20, 0x2B, 0x30, 0x30, 0x30, 0x30
            )
        _ = withUnsafeBytes(of: text) { buffer.writeBytes($0) }
    }

    private static let monthBytes: [(UInt8, UInt8, UInt8)] = CivilDate.monthNames.map { name in
        let bytes = Array(name.utf8)
        return (bytes[0], bytes[1], bytes[2])
    }

    /// The UTC calendar day of `date` (SEARCH BEFORE/ON/SINCE compare days, RFC 3501 6.4.4).
    public static func day(of date: Date) -> IMAPDay {
        let civil = CivilDate.date(ofDay: split(date).day)
        return IMAPDay(year: civil.year, month: civil.month, day: civil.day)
    }

    /// Parses `dd-Mon-yyyy hh:mm:ss +zzzz` (day may be space-padded); nil if malformed.
    static func parseDateTime(_ text: String) -> IMAPDateTime? {
        let bytes = Array(text.utf8)
        guard bytes.count == 26 else { return nil }
        func digits(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                if byte == UInt8(ascii: " ") && index == range.lowerBound { continue }
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        let month = CivilDate.monthIndex(String(decoding: bytes[3..<6], as: UTF8.self))
        guard let day = digits(0..<2), bytes[2] == UInt8(ascii: "-"), let month,
            bytes[6] == UInt8(ascii: "-"), let year = digits(7..<11), bytes[11] == UInt8(ascii: " "),
            let hour = digits(12..<14), bytes[14] == UInt8(ascii: ":"), let minute = digits(15..<17),
            bytes[17] == UInt8(ascii: ":"), let second = digits(18..<20), bytes[20] == UInt8(ascii: " "),
            bytes[21] == UInt8(ascii: "+") || bytes[21] == UInt8(ascii: "-"), let zone = digits(22..<26),
            (1...31).contains(day), hour < 24, minute < 60, second < 61, zone % 100 < 60
        else { return nil }
        let days = CivilDate.days(year: year, month: month + 1, day: day)
        var seconds = days * 86_400 + hour * 3600 + minute * 60 + second
        let offset = (zone / 100) * 3600 + (zone % 100) * 60
        seconds += bytes[21] == UInt8(ascii: "+") ? -offset : offset
        return IMAPDateTime(date: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    private static func split(_ date: Date) -> (day: Int, second: Int) {
        CivilDate.split(secondsSince1970: date.timeIntervalSince1970)
    }
}
