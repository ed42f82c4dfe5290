import ArgumentParser
import Foundation
import MailStore
import MailgateCore

/// `mailgate user deliver EMAIL FILE.eml`: puts a message file into the user's Inbox, as a
/// delivery would (imports, and tests before SMTP). An extension of INTERFACE.md.
struct UserDeliverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver",
        abstract: "Put a message file (RFC 5322, .eml) into the user's Inbox.",
        discussion: "Line ends are stored as CRLF. The address may be an alias; the mailbox must take mail.")
    @OptionGroup var options: ConfigOption
    @Argument(help: "The recipient: a primary address or alias.") var email: String
    @Argument(help: "The message file.") var file: String

    func run() async throws {
        let context = try await AdminContext.open(options)
        let address = try AdminContext.address(email)
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw RefusedOperation("cannot read \(file): \(error.localizedDescription)")
        }
        // The same bound SMTP ingress keeps: a mailbox never holds what mail could not bring.
        let limit = context.config.smtp?.maxMessageBytes ?? 36_700_160
        guard bytes.count <= limit else { throw StoreRefusal.messageTooLarge(limit: limit) }
        guard case .mailbox(let mailbox, _, _) = try await context.store.resolveRecipient(address) else {
            throw RefusedOperation("\(address) has no mailbox that takes mail")
        }
        let message = IncomingMessage(bytes: Self.withCRLF(bytes), internalDate: Date())
        guard let result = try await context.store.deliver(message, to: [mailbox]).first else {
            throw RefusedOperation("the store did not deliver the message")
        }
        let uid = try result.get()
        print("delivered to \(address) (uid \(uid))")
    }

    /// Every line end as CRLF (a bare LF or CR becomes CRLF) and a final CRLF: the store's form.
    static func withCRLF(_ bytes: Data) -> Data {
        var out = Data()
        out.reserveCapacity(bytes.count + bytes.count / 20 + 2)
        let cr = UInt8(ascii: "\r")
        let lf = UInt8(ascii: "\n")
        var previous: UInt8 = 0
        for byte in bytes {
            if previous == cr && byte != lf { out.append(lf) }
            if byte == lf && previous != cr { out.append(cr) }
            out.append(byte)
            previous = byte
        }
        if previous == cr { out.append(lf) }
        if !out.isEmpty && out.last != lf { out.append(contentsOf: [cr, lf]) }
        return out
    }
}
