/// How many consecutive messages one store read takes: at most `maximumCount` of them and
/// `maximumOctets` in all, but always the first, however big.
enum ReadGroups {
    /// The positions of the group that begins at `start` of `sizes`.
    static func group(
        from start: Int, of sizes: some RandomAccessCollection<Int>, maximumCount: Int, maximumOctets: Int
    ) -> Range<Int> {
        let first = sizes.index(sizes.startIndex, offsetBy: start)
        var end = sizes.index(after: first)
        var octets = sizes[first]
        while end < sizes.endIndex, sizes.distance(from: first, to: end) < maximumCount,
            octets + sizes[end] <= maximumOctets
        {
            octets += sizes[end]
            end = sizes.index(after: end)
        }
        return start..<(start + sizes.distance(from: first, to: end))
    }
}
