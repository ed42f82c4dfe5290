import Foundation
import MailgateCore
import Testing

@Suite("Civil dates")
struct CivilDateTests {
    @Test("Day numbers and dates agree with Foundation's Gregorian calendar in UTC, both ways")
    func agreesWithFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var generator = SystemRandomNumberGenerator()
        // Foundation's calendar is Julian before 15 October 1582; ours is proleptic Gregorian,
        // so the comparison starts in 1583.
        var days = [0, -1, 59, 60, 11_016, 20_785, -141_000, 2_932_896]
        for _ in 0..<2000 { days.append(Int.random(in: -141_000...2_900_000, using: &generator)) }
        for day in days {
            let date = Date(timeIntervalSince1970: Double(day) * 86_400 + 3_661)
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
            let civil = CivilDate.date(ofDay: day)
            #expect(civil.year == parts.year && civil.month == parts.month && civil.day == parts.day, "\(day)")
            #expect(CivilDate.weekday(ofDay: day) + 1 == parts.weekday, "\(day)")
            #expect(CivilDate.days(year: civil.year, month: civil.month, day: civil.day) == day)
            #expect(CivilDate.split(secondsSince1970: Double(day) * 86_400 + 3_661) == (day, 3_661))
        }
        #expect(
            CivilDate.weekdayNames[CivilDate.weekday(ofDay: CivilDate.days(year: 2026, month: 11, day: 28))] == "Sat")
        // Proleptic before 1582: 1 January of year 1 is day -719,162, a Monday.
        #expect(CivilDate.days(year: 1, month: 1, day: 1) == -719_162)
        #expect(CivilDate.weekday(ofDay: -719_162) == 1)
        #expect(CivilDate.monthIndex("dEc") == 11)
        #expect(CivilDate.monthIndex("Dez") == nil)
    }
}
