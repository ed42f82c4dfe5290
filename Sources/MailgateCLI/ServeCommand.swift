import ArgumentParser
import Foundation
import HTTPGateway
import Logging
import MailStore
import MailStoreSQLite
import MailgateCore
import MailgateTLS
import Metrics
import NIOPosix
import NIOSSL
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `mailgate serve`: starts every listener the configuration names and this build implements,
/// under swift-service-lifecycle (graceful shutdown on SIGTERM and SIGINT).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the gateway.")
    @OptionGroup var options: ConfigOption

    /// How long open sessions may run on after SIGTERM or SIGINT.
    static let shutdownGraceSeconds: Int64 = 20

    func run() async throws {
        let config = try await MailgateConfigLoader.load(path: options.config)
        let logger = Self.bootstrapLogging(level: config.log.level)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let store = try SQLiteMailStore(directory: config.dataDirectory)
        let tls = try await Self.loadTLS(config, store: store, logger: logger)
        logger.info("store opened", metadata: ["data_dir": "\(config.dataDirectory)"])

        var services: [any Service] = [
            ChangeWatcherService(store: store),
            MaintenanceService(
                store: store,
                notifier: PasswordExpiryNotifier(
                    store: store, clock: SystemClock(), senderHost: config.hostname,
                    accountPageURL: config.publicURL + "/account"),
                interval: .seconds(3600), logger: logger),
        ]
        let gateway = HTTPGateway(
            settings: config.http, tls: tls?.serverConfiguration(), registry: registry,
            readiness: { (try? await store.settings()) != nil }, logger: logger)
        services += try gateway.services()
        for (listener, name) in [("http.listen", config.http.listen), ("http.tls_listen", config.http.tlsListen)] {
            if let name { logger.notice("listening", metadata: ["listener": "\(listener)", "address": "\(name)"]) }
        }
        let context = ServeContext(
            config: config, store: store, tls: try tls?.makeServerContext(),
            signIn: SignInGate(
                store: store, clock: SystemClock(), hasher: PasswordHasher(), threadPool: NIOThreadPool.singleton),
            logger: logger)
        services.append(SignInCacheInvalidator(store: store, gate: context.signIn))
        services += try Self.smtpServices(context)
        services += try Self.pop3Services(context)
        context.reportNotImplemented("submission.listen", "submission", configured: config.submission.listen != nil)
        services += try Self.imapServices(context)
        context.reportNotImplemented("outbound", "outbound delivery", configured: config.outbound != nil)

        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            cancellationSignals: [],
            logger: logger)
        // Open sessions get this long to finish after SIGTERM; then they are cut.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(Self.shutdownGraceSeconds)
        let group = ServiceGroup(configuration: groupConfiguration)
        try await group.run()
        logger.notice("stopped")
    }

    /// Loads the TLS material, first making development certificates if the config asks for them.
    static func loadTLS(_ config: MailgateConfig, store: some MailStore, logger: Logger) async throws
        -> TLSMaterial?
    {
        guard let settings = config.tls else { return nil }
        if settings.generatesDevelopmentCertificates {
            // The public URL's host and autodiscover.<domain> for each domain (Autodiscover's
            // first route) are named too, so phones and Outlook can check the certificate.
            var names = try await store.domains().map { "autodiscover.\($0.name)" }
            if let publicHost = URL(string: config.publicURL)?.host, publicHost != config.hostname {
                names.insert(publicHost, at: 0)
            }
            try DevelopmentCertificates.ensure(
                certificatePath: settings.certificatePath, privateKeyPath: settings.privateKeyPath,
                hostname: config.hostname, extraNames: names, logger: logger)
        }
        do {
            return try TLSMaterial.load(
                certificatePath: settings.certificatePath, privateKeyPath: settings.privateKeyPath)
        } catch {
            throw RefusedOperation("tls: \(error)")
        }
    }

    static func bootstrapLogging(level: String) -> Logger {
        let level = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "mailgate")
        logger.logLevel = level
        return logger
    }
}
