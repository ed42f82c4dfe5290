/// A `HOST:PORT` pair from the configuration, such as `127.0.0.1:2525` or `[::1]:993`.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    /// The host without brackets: an IPv4 or IPv6 literal or a name.
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`; an IPv6 host is written in brackets. Returns nil for anything else,
    /// including a port outside 1...65535 or an empty host.
    public init?(parsing text: String) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
            guard host.contains(":") else { return nil }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            // An unbracketed IPv6 literal is ambiguous ("::1:25"): refuse it.
            guard !host.contains(":") else { return nil }
        }
        guard !host.isEmpty, host.allSatisfy({ !$0.isWhitespace }),
            portText.count <= 5, portText.allSatisfy(\.isASCIIDigitCharacter),
            let port = Int(portText), (1...65_535).contains(port)
        else { return nil }
        self.host = String(host)
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
