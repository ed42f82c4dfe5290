import Foundation
public import NIOCore

/// Why a resolver setting was refused; the text names the setting for the operator.
public enum DNSConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `HOST:PORT` is not an IP literal with a port 1...65535.
    case invalidServer(String)
    /// No usable `nameserver` line in the resolv.conf file.
    case noNameserver(path: String)
    /// The timeout or attempt count is out of range.
    case invalidLimit(String)

    public var description: String {
        switch self {
        case .invalidServer(let text): return "\"\(text)\" is not a valid HOST:PORT (an IP address and a port)"
        case .noNameserver(let path): return "\(path) names no usable nameserver"
        case .invalidLimit(let text): return text
        }
    }
}

/// Where and how patiently the stub resolver asks.
public struct DNSResolverConfiguration: Sendable {
    /// The recursive server asked, UDP then TCP.
    public var server: SocketAddress
    /// How long one attempt waits for an answer.
    public var timeout: TimeAmount
    /// How many UDP attempts before giving up (a truncated answer is retried once over TCP inside an attempt).
    public var attempts: Int

    /// A configuration for `server`; `attempts` is clamped to 1...10.
    public init(server: SocketAddress, timeout: TimeAmount = .seconds(5), attempts: Int = 2) {
        self.server = server
        self.timeout = timeout
        self.attempts = min(max(1, attempts), 10)
    }

    /// Reads `dns.resolver`-style text: `"system"` (resolv.conf) or `HOST:PORT`.
    ///
    /// - Parameter timeoutSeconds: the whole budget of one lookup; it is split evenly across `attempts`.
    public static func parse(
        _ text: String, timeoutSeconds: Double, attempts: Int = 2,
        resolvConfText: @autoclosure () -> String? = DNSResolverConfiguration.readSystemResolvConf()
    ) throws(DNSConfigurationError) -> DNSResolverConfiguration {
        guard timeoutSeconds.isFinite, timeoutSeconds > 0, timeoutSeconds <= 300 else {
            throw .invalidLimit("dns.timeout_seconds must be between 0 and 300, not \(timeoutSeconds)")
        }
        let clampedAttempts = min(max(1, attempts), 10)
        let perAttempt = TimeAmount.nanoseconds(Int64(timeoutSeconds * 1e9 / Double(clampedAttempts)))
        if text == "system" {
            let path = "/etc/resolv.conf"
            guard let contents = resolvConfText(), let server = systemServer(resolvConf: contents) else {
                throw .noNameserver(path: path)
            }
            return DNSResolverConfiguration(server: server, timeout: perAttempt, attempts: clampedAttempts)
        }
        return DNSResolverConfiguration(server: try serverAddress(text), timeout: perAttempt, attempts: clampedAttempts)
    }

    /// Parses `HOST:PORT` where HOST is an IPv4 literal or a bracketed IPv6 literal (`[::1]:53`).
    ///
    /// Host names are refused: resolving them would need the resolver being configured.
    public static func serverAddress(_ text: String) throws(DNSConfigurationError) -> SocketAddress {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw .invalidServer(text)
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon else {
                throw .invalidServer(text)
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let address = IPAddress(host), !portText.isEmpty, portText.count <= 5,
            portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText), (1...65535).contains(port),
            let socketAddress = try? SocketAddress(ipAddress: address.description, port: port)
        else { throw .invalidServer(text) }
        return socketAddress
    }

    /// The text of /etc/resolv.conf, or `nil` if it cannot be read. Blocking file I/O: call at start-up, not on an event loop.
    public static func readSystemResolvConf() -> String? {
        try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)
    }

    /// The first usable `nameserver` of resolv.conf text (resolv.conf(5)), on port 53.
    public static func systemServer(resolvConf: String) -> SocketAddress? {
        for line in resolvConf.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "nameserver" else { continue }
            // A link-local IPv6 server may carry a zone (fe80::1%eth0); the zone cannot be expressed here.
            guard let address = IPAddress(fields[1]) else { continue }
            if let socketAddress = try? SocketAddress(ipAddress: address.description, port: 53) {
                return socketAddress
            }
        }
        return nil
    }
}
