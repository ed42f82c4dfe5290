import Foundation
import MailgateCore
import MailgateTesting
import Testing

@Suite("Configuration: the YAML file of INTERFACE.md with environment overrides")
struct ConfigTests {
    let folder = TemporaryDirectory()

    func load(_ yaml: String, environment: [String: String] = [:]) async throws(ConfigError) -> MailgateConfig {
        let path = folder.file("mailgate.yaml")
        _ = FileManager.default.createFile(atPath: path, contents: Data(yaml.utf8))
        return try await MailgateConfigLoader.load(path: path, environment: environment)
    }

    static let shipped = """
        hostname: mail.example.test
        public_url: https://mail.example.test:8443
        data_dir: ../data
        tls:
          certificate: ../certs/dev/server.crt
          private_key: ../certs/dev/server.key
          dev_certificates: true
        dns:
          resolver: system
          timeout_seconds: 5
        smtp:
          listen: 127.0.0.1:2525
          max_message_bytes: 36700160
          max_recipients: 100
          spf_fail: reject
          spf_permerror: tag
        imap:
          listen: 127.0.0.1:1143
          tls_listen: "[::1]:1993"
        http:
          listen: 127.0.0.1:8080
        """

    @Test("The shipped keys load, relative paths from the file's folder")
    func shipped() async throws {
        let config = try await load(Self.shipped)
        #expect(config.hostname == "mail.example.test")
        #expect(config.dataDirectory == (folder.path as NSString).deletingLastPathComponent + "/data")
        #expect(config.tls?.certificatePath.hasSuffix("/certs/dev/server.crt") == true)
        #expect(config.smtp?.listen == HostPort(host: "127.0.0.1", port: 2525))
        #expect(config.smtp?.spfPermerror == .tag)
        #expect(config.imap.tlsListen == HostPort(host: "::1", port: 1993))
        #expect(config.pop3.listen == nil)
        #expect(config.dns.resolver == .system)
        #expect(config.limits == MailgateConfig.LimitSettings())
    }

    @Test("limits.* set the connection and session limits; LIMITS_MAX_SESSIONS_PER_USER overrides")
    func limits() async throws {
        let yaml = "limits:\n  max_connections: 2000\n  max_connections_per_address: 300\n"
        let config = try await load(yaml, environment: ["LIMITS_MAX_SESSIONS_PER_USER": "40"])
        #expect(config.limits.maxConnections == 2000)
        #expect(config.limits.maxConnectionsPerAddress == 300)
        #expect(config.limits.maxSessionsPerUser == 40)
    }

    @Test("Environment variables override the file: SMTP_LISTEN, MAILGATE_HOSTNAME, and enable absent listeners")
    func overrides() async throws {
        let config = try await load(
            Self.shipped,
            environment: [
                "SMTP_LISTEN": "127.0.0.1:2526", "MAILGATE_HOSTNAME": "mx.example.test", "HOSTNAME": "box",
                "POP3_LISTEN": "127.0.0.1:1110", "DNS_RESOLVER": "127.0.0.1:5353",
            ])
        #expect(config.smtp?.listen.port == 2526)
        #expect(config.hostname == "mx.example.test")
        #expect(config.pop3.listen?.port == 1110)
        #expect(config.dns.resolver == .server(HostPort(host: "127.0.0.1", port: 5353)))
    }

    @Test(
        "Errors name the key and the value",
        arguments: [
            ("smtp:\n  lissten: 127.0.0.1:25\n", ConfigError.unknownKey("smtp.lissten")),
            (
                "smtp:\n  listen: 127.0.0.1:99999\n",
                .invalidValue(key: "smtp.listen", value: "127.0.0.1:99999", expected: "a valid HOST:PORT")
            ),
            (
                "imap:\n  listen: localhost\n",
                .invalidValue(key: "imap.listen", value: "localhost", expected: "a valid HOST:PORT")
            ),
            (
                "tls:\n  certificate: nope.crt\n  private_key: nope.key\n",
                .fileNotFound(key: "tls.certificate", path: "")
            ),
            ("smtp: 5\n", .notASection(key: "smtp")),
            (
                "smtp:\n  listen: 127.0.0.1:25\n  spf_fail: maybe\n",
                .invalidValue(key: "smtp.spf_fail", value: "maybe", expected: "one of the allowed words")
            ),
            (
                "limits:\n  max_connections_per_address: 0\n",
                .invalidValue(
                    key: "limits.max_connections_per_address", value: "0",
                    expected: "a whole number from 1 to 100000")
            ),
            (
                "dns:\n  timeout_seconds: -1\n",
                .invalidValue(key: "dns.timeout_seconds", value: "-1", expected: "a number from 0.1 to 60.0")
            ),
        ])
    func errors(yaml: String, expected: ConfigError) async {
        do {
            _ = try await load(yaml)
            Issue.record("accepted: \(yaml)")
        } catch {
            if case .fileNotFound(let key, _) = expected, case .fileNotFound(let gotKey, let path) = error {
                #expect(gotKey == key && path.hasSuffix("nope.crt"))
            } else {
                #expect(error == expected)
            }
            #expect(error.description.contains(expected.description.prefix(10)))
        }
    }

    @Test(
        "HOST:PORT parsing",
        arguments: [
            ("127.0.0.1:25", true), ("[::1]:993", true), ("mail.example.test:587", true), ("::1:25", false),
            ("127.0.0.1", false), ("127.0.0.1:0", false), ("127.0.0.1:65536", false), (":25", false),
            ("[::1]25", false),
            ("host:+25", false),
        ])
    func hostPort(text: String, valid: Bool) {
        #expect((HostPort(parsing: text) != nil) == valid)
    }
}
