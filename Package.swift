// swift-tools-version: 6.2
import PackageDescription

/// Settings shared by every Mailgate target (../shared/STYLE.md section 6).
let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .treatAllWarnings(as: .error),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
]

let package = Package(
    name: "mailgate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mailgate", targets: ["mailgate"]),
        .executable(name: "mailgate-bench", targets: ["MailgateBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        .executableTarget(
            name: "mailgate",
            dependencies: ["MailgateCLI"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "MailgateCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "MailStore",
            dependencies: [
                "MailgateCore", "MIME",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "MailStoreSQLite",
            dependencies: [
                "MailStore", "MailgateCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "MailgateTLS",
            dependencies: [
                "MailgateCore",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "DNSClient",
            dependencies: ["MailgateCore"] + nio,
            swiftSettings: strictSettings
        ),
        .target(
            name: "SPF",
            dependencies: ["DNSClient", "MailgateCore", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "MailListener",
            dependencies: [
                "MailgateCore",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ] + nio,
            swiftSettings: strictSettings
        ),
        .target(
            name: "MIME",
            dependencies: ["MailgateCore"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "POP3Server",
            dependencies: [
                "MailListener", "MailStore", "MailgateCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SMTPServer",
            dependencies: [
                "MailListener", "MailStore", "MailgateCore", "SPF", "DNSClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "IMAPServer",
            dependencies: [
                "MailListener", "MailStore", "MailgateCore", "MIME",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "HTTPGateway",
            dependencies: [
                "MailgateCore", "MailStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ] + nio,
            swiftSettings: strictSettings
        ),
        .target(
            name: "MailgateCLI",
            dependencies: [
                "MailgateCore", "MailStore", "MailStoreSQLite", "MailgateTLS", "HTTPGateway",
                "DNSClient", "SPF", "MailListener", "SMTPServer", "POP3Server", "IMAPServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ] + nio,
            swiftSettings: strictSettings
        ),
        .target(
            name: "MailgateTesting",
            dependencies: [
                "MailgateCore", "MailStore", "MailStoreSQLite",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "MailgateBench",
            dependencies: [
                "MailgateCore", "MailStore", "MailStoreSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/MailgateBench",
            swiftSettings: strictSettings
        ),
        .target(name: "FuzzDriver", path: "Sources/Fuzz/Driver"),
        .executableTarget(name: "FuzzDNSMessage", dependencies: ["DNSClient", "FuzzDriver"], path: "Sources/Fuzz/DNSMessage"),
        .executableTarget(name: "FuzzSPFRecord", dependencies: ["SPF", "FuzzDriver"], path: "Sources/Fuzz/SPFRecord"),
        .executableTarget(name: "FuzzSMTPCommand", dependencies: ["SMTPServer", "FuzzDriver"], path: "Sources/Fuzz/SMTPCommand"),
        .executableTarget(name: "FuzzPOP3Command", dependencies: ["POP3Server", "FuzzDriver"], path: "Sources/Fuzz/POP3Command"),
        .executableTarget(name: "FuzzMIMEMessage", dependencies: ["MIME", "FuzzDriver"], path: "Sources/Fuzz/MIMEMessage"),
        .executableTarget(name: "FuzzIMAPCommand", dependencies: ["IMAPServer", "FuzzDriver"], path: "Sources/Fuzz/IMAPCommand"),
        .executableTarget(name: "FuzzLineFramer", dependencies: ["MailListener", "FuzzDriver"], path: "Sources/Fuzz/LineFramer"),
        .testTarget(
            name: "IMAPServerTests",
            dependencies: [
                "IMAPServer", "MailListener", "MailStore", "MailStoreSQLite", "MailgateCore", "MailgateTesting",
                "MailgateTLS", "MIME",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ] + nio,
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MIMETests",
            dependencies: ["MIME", "MailgateCore"],
            exclude: ["compare_with_python_email.py"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "POP3ServerTests",
            dependencies: [
                "POP3Server", "MailListener", "MailStore", "MailStoreSQLite", "MailgateCore", "MailgateTesting",
                "MailgateTLS",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ] + nio,
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SMTPServerTests",
            dependencies: [
                "SMTPServer", "MailListener", "MailStore", "MailStoreSQLite", "MailgateCore", "MailgateTesting",
                "MailgateTLS", "SPF", "DNSClient",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ] + nio,
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MailListenerTests",
            dependencies: [
                "MailListener", "MailgateCore", "MailgateTLS", "MailgateTesting",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ] + nio,
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MailgateCoreTests",
            dependencies: ["MailgateCore", "MailgateTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MailStoreTests",
            dependencies: [
                "MailStore", "MailStoreSQLite", "MailgateCore", "MailgateTesting", "MIME",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MailgateCLITests",
            dependencies: ["MailgateCLI", "MailgateCore", "MailStore", "MailgateTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SPFTests",
            dependencies: ["SPF", "DNSClient", "MailgateCore", "MailgateTesting", .product(name: "Yams", package: "Yams")] + nio,
            exclude: ["fetch-rfc7208-suite.sh"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MailgateTLSTests",
            dependencies: [
                "MailgateTLS", "MailgateTesting",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
            ] + nio,
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HTTPGatewayTests",
            dependencies: [
                "HTTPGateway", "MailgateCore", "MailgateTLS",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
