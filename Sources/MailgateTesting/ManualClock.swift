public import Foundation
public import MailgateCore
import Synchronization

/// A clock that moves only when a test says so: 30-day windows and password expiry are tested
/// by advancing it, never by sleeping.
public final class ManualClock: MailgateClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }

    public var now: Date { current.withLock { $0 } }

    public func advance(by interval: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(interval) } }

    public func advance(days: Double) { advance(by: days * 86_400) }
}
