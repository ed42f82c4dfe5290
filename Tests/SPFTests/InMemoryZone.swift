import DNSClient

/// A DNS zone in memory, answering like a recursive server would: records, NXDOMAIN, no data, CNAMEs
/// followed, and names configured to time out. Names compare case-insensitively.
struct InMemoryZone: DNSResolving {
    enum Entry: Sendable, Hashable {
        case record(DNSRecordData)
        /// The openspf suite's TIMEOUT: queries of types with no record listed before it time out.
        case timeout
    }

    private(set) var entries: [DNSName: [Entry]] = [:]
    /// Which names `cachedResult` answers, as a resolver with a warm cache would: none, all,
    /// or some (the evaluator must then fall back to real lookups).
    var cachedNames: CachedNames = .none

    enum CachedNames: Sendable {
        case none, all
        case only(Set<DNSName>)
    }

    init() {}

    /// A zone from `name: [record]` pairs, e.g. `["example.com": [.txt("v=spf1 -all")]]`.
    init(_ records: [String: [DNSRecordData]]) {
        for (name, data) in records {
            for item in data { add(name, item) }
        }
    }

    mutating func add(_ name: String, _ data: DNSRecordData) {
        guard let key = DNSName(name) else { return }
        entries[key, default: []].append(.record(data))
    }

    mutating func addTimeout(_ name: String) {
        guard let key = DNSName(name) else { return }
        entries[key, default: []].append(.timeout)
    }

    mutating func addName(_ name: String) {
        guard let key = DNSName(name) else { return }
        entries[key, default: []] += []
    }

    func lookup(_ name: DNSName, _ type: DNSRecordType) async -> DNSLookupResult {
        resolve(name, type)
    }

    func cachedResult(_ name: DNSName, _ type: DNSRecordType) -> DNSLookupResult? {
        switch cachedNames {
        case .none: nil
        case .all: resolve(name, type)
        case .only(let names): names.contains(name) ? resolve(name, type) : nil
        }
    }

    /// The synchronous answer `lookup` gives (the in-process DNS server answers from it too).
    func resolve(_ name: DNSName, _ type: DNSRecordType) -> DNSLookupResult {
        var current = name
        for _ in 0...8 {
            guard let list = entries[current] else { return .nameError }
            var found: [DNSRecordData] = []
            var alias: DNSName?
            for entry in list {
                switch entry {
                case .timeout:
                    if found.isEmpty { return .failure(.timeout) }
                case .record(let data):
                    if data.type == type {
                        found.append(data)
                    } else if case .cname(let target) = data, type != .cname {
                        alias = target
                    }
                }
            }
            if !found.isEmpty { return .records(found) }
            guard let alias else { return .noData }
            current = alias
        }
        return .failure(.cnameChainTooLong)
    }
}

extension DNSRecordData {
    /// A TXT record of one string.
    static func txt(_ text: String) -> DNSRecordData { .txt([Array(text.utf8)]) }
    /// An A or AAAA record from text; traps on a bad literal (test data only).
    static func ip(_ text: String) -> DNSRecordData {
        let address = IPAddress(text)!
        return address.isIPv4 ? .a(address) : .aaaa(address)
    }
    static func mx(_ preference: UInt16, _ host: String) -> DNSRecordData {
        .mx(preference: preference, exchange: DNSName(host)!)
    }
    static func ptr(_ host: String) -> DNSRecordData { .ptr(DNSName(host)!) }
    static func cname(_ host: String) -> DNSRecordData { .cname(DNSName(host)!) }
}
