/// Proleptic Gregorian calendar arithmetic in UTC (Howard Hinnant's days-from-civil and
/// civil-from-days), for the dates the protocols write and read (IMAP INTERNALDATE, RFC 5322
/// `Date:` and `Received:`) without Foundation's calendars, so nothing depends on the host's
/// locale or time zone.
public enum CivilDate {
    /// English month abbreviations, January first (RFC 5322 3.3, RFC 3501 9).
    public static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    /// English day abbreviations, Sunday first (RFC 5322 3.3).
    public static let weekdayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// The 0-based month of a three-letter English name, any case.
    public static func monthIndex(_ name: some StringProtocol) -> Int? {
        monthNames.firstIndex { $0.lowercased() == name.lowercased() }
    }

    /// Whole seconds since 1970 as a day number since 1970-01-01 and the second of that day.
    public static func split(secondsSince1970 seconds: Double) -> (day: Int, second: Int) {
        let total = Int(seconds.rounded(.down))
        let day = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        return (day, total - day * 86_400)
    }

    /// Days since 1970-01-01 of a date (month 1 to 12).
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day number since 1970-01-01 (month 1 to 12).
    public static func date(ofDay days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The weekday of a day number, 0 for Sunday (1970-01-01 was a Thursday).
    public static func weekday(ofDay days: Int) -> Int { ((days % 7) + 7 + 4) % 7 }
}
