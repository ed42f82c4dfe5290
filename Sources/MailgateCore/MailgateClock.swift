public import Foundation

/// Where every piece of Mailgate logic gets the time from.
///
/// Logic never calls `Date()`: it asks a clock, so tests advance a manual clock through
/// 30-day windows and password expiry without sleeping.
public protocol MailgateClock: Sendable {
    /// The current wall-clock time.
    var now: Date { get }
}

/// The real clock.
public struct SystemClock: MailgateClock {
    public init() {}
    public var now: Date { Date() }
}
