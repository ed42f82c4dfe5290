import Foundation
import MailStore
import MailStoreSQLite
import MailgateCore

/// What an administration command works with: the validated configuration and the store.
struct AdminContext {
    let config: MailgateConfig
    let store: any MailStore

    static func open(_ options: ConfigOption) async throws -> AdminContext {
        let config = try await MailgateConfigLoader.load(path: options.config)
        let store = try SQLiteMailStore(directory: config.dataDirectory)
        return AdminContext(config: config, store: store)
    }

    /// Parses an address argument, refusing (exit 1) a malformed one.
    static func address(_ text: String) throws -> EmailAddress {
        guard let address = EmailAddress(text) else { throw StoreRefusal.invalidAddress(text) }
        return address
    }

    /// The live user with `address`, or a refusal naming it.
    func user(_ text: String) async throws -> UserAccount {
        let address = try Self.address(text)
        guard let account = try await store.user(address) else { throw StoreRefusal.userUnknown(address.description) }
        return account
    }
}
