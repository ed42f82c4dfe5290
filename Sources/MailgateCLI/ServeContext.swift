import Logging
import MailStore
import MailStoreSQLite
import MailgateCore
import NIOSSL
import ServiceLifecycle

/// What `serve` hands to each protocol's wiring: the config, the store, TLS and the sign-in gate.
struct ServeContext {
    let config: MailgateConfig
    let store: SQLiteMailStore
    /// The server TLS context, when `tls` is configured.
    let tls: NIOSSLContext?
    let signIn: SignInGate
    let logger: Logger

    /// Logs that a configured listener is not started because this build lacks its protocol.
    func reportNotImplemented(_ key: String, _ service: String, configured: Bool) {
        guard configured else { return }
        logger.warning(
            "not started: this build does not implement it yet",
            metadata: ["listener": "\(key)", "service": "\(service)"])
    }
}

/// Drops cached sign-ins of users whose account changed, here or in another process.
struct SignInCacheInvalidator: Service {
    let store: SQLiteMailStore
    let gate: SignInGate

    func run() async throws {
        let gate = self.gate
        let observation = store.changeFeed.observe { change in
            if case .account(let user) = change { gate.forget(user) }
        }
        // Called synchronously by the store; this service only keeps the observation alive.
        try? await gracefulShutdown()
        observation.cancel()
    }
}
