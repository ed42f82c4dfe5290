/// One SORT criterion (RFC 5256 3): what to order by, and whether in reverse.
public struct IMAPSortKey: Sendable, Equatable {
    public enum Criterion: String, Sendable, CaseIterable {
        case arrival = "ARRIVAL"
        case cc = "CC"
        case date = "DATE"
        case from = "FROM"
        case size = "SIZE"
        case subject = "SUBJECT"
        case to = "TO"
    }

    public var criterion: Criterion
    public var reverse: Bool

    public init(_ criterion: Criterion, reverse: Bool = false) {
        self.criterion = criterion
        self.reverse = reverse
    }
}
