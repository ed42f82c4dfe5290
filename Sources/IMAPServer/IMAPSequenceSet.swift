/// An RFC 3501 9 `sequence-set`: numbers and ranges, `*` standing for the largest number in use.
public struct IMAPSequenceSet: Sendable, Equatable {
    /// One element; nil bounds are `*`.
    public struct Range: Sendable, Equatable {
        public var first: UInt32?
        public var last: UInt32?
        public init(_ first: UInt32?, _ last: UInt32?) {
            self.first = first
            self.last = last
        }
    }

    public var ranges: [Range]
    /// RFC 5182 `$`: the result saved by the last `SEARCH RETURN (SAVE)`; `ranges` is empty.
    /// The command runner replaces it with the saved messages before a command uses it.
    public var isSavedResult = false

    public init(_ ranges: [Range]) { self.ranges = ranges }

    /// RFC 5182 2.1 `$`.
    public static let savedResult: IMAPSequenceSet = {
        var set = IMAPSequenceSet([])
        set.isSavedResult = true
        return set
    }()

    /// Whether `number` is in the set when `*` means `largest` (RFC 3501 9: `n:m` equals `m:n`).
    public func contains(_ number: UInt32, largest: UInt32) -> Bool {
        ranges.contains { range in
            let a = range.first ?? largest
            let b = range.last ?? largest
            return min(a, b) <= number && number <= max(a, b)
        }
    }

    /// The wire form (`1:3,5,7:*`), as in COPYUID.
    public var description: String {
        if isSavedResult { return "$" }
        return ranges.map { range in
            let a = range.first.map(String.init) ?? "*"
            let b = range.last.map(String.init) ?? "*"
            return range.first == range.last ? a : "\(a):\(b)"
        }.joined(separator: ",")
    }

    /// A compact set for a sorted list of numbers (`1:3,7`), as in COPYUID and SEARCH results.
    public static func compact(_ numbers: [UInt32]) -> IMAPSequenceSet {
        var ranges: [Range] = []
        for number in numbers {
            if let last = ranges.last, let end = last.last, end != UInt32.max, end + 1 == number {
                ranges[ranges.count - 1].last = number
            } else {
                ranges.append(Range(number, number))
            }
        }
        return IMAPSequenceSet(ranges)
    }
}
