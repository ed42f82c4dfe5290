import ArgumentParser
import Foundation
import MailStore
import MailgateCore

/// `user import FILE.csv`: one result line per row; a bad row is reported and skipped, the rest
/// imported, each new user printed with a temporary password. `--check` imports nothing.
struct UserImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Create users from the bulk-import CSV; exit status 1 if any row was not imported.")
    @OptionGroup var options: ConfigOption
    @Argument var file: String
    @Option(help: "A license SKU to assign to every user (repeatable).") var license: [String] = []
    @Flag(help: "Check the file and report per row, creating nobody.") var check = false
    @Flag(help: "Create the users with sign-in blocked.") var blockSignIn = false

    func run() async throws {
        guard file.lowercased().hasSuffix(".csv") else { throw RefusedOperation("the file name must end in .csv") }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw RefusedOperation("cannot read \(file)")
        }
        let context = try await AdminContext.open(options)
        let rows = try BulkImportCSV.parse(data)
        var seen: Set<EmailAddress> = []
        var failures = 0
        var accepted: [(line: Int, address: EmailAddress, profile: UserProfile)] = []
        for row in rows {
            switch row.result {
            case .failure(let problem):
                failures += 1
                print("line \(row.line): error: \(problem.reason)")
            case .success(let (address, profile)):
                if let problem = try await problem(with: address, seen: seen, store: context.store) {
                    failures += 1
                    print("line \(row.line): \(address): error: \(problem)")
                } else {
                    seen.insert(address)
                    accepted.append((row.line, address, profile))
                }
            }
        }
        if check {
            for item in accepted { print("line \(item.line): \(item.address): ok") }
            print("\(accepted.count) of \(rows.count) users can be imported")
        } else {
            let credentials = try await Self.temporaryCredentials(for: accepted.map(\.address))
            for (item, credential) in zip(accepted, credentials) {
                do {
                    _ = try await context.store.createUser(
                        NewUser(
                            email: item.address, profile: item.profile, passwordHash: credential.hash,
                            mustChangePassword: true, licenses: license, isSignInBlocked: blockSignIn))
                    print(
                        "line \(item.line): \(item.address): created, temporary password: "
                            + (credential.temporary?.exposedValue ?? ""))
                } catch let refusal as StoreRefusal {
                    failures += 1
                    print("line \(item.line): \(item.address): error: \(refusal)")
                }
            }
            print("\(rows.count - failures) of \(rows.count) users imported")
        }
        if failures > 0 { throw ExitCode(1) }
    }

    /// Why a well-formed row cannot be imported, checked before anything is created.
    private func problem(with address: EmailAddress, seen: Set<EmailAddress>, store: some MailStore) async throws
        -> String?
    {
        if seen.contains(address) { return "the address appears twice in the file" }
        if try await store.domain(address.domain) == nil {
            return StoreRefusal.domainNotAccepted(address.description).description
        }
        if try await store.user(address) != nil { return StoreRefusal.addressTaken(address.description).description }
        return nil
    }

    /// Temporary passwords and their hashes, made on every core (each scrypt takes tens of ms).
    static func temporaryCredentials(for addresses: [EmailAddress]) async throws -> [Passwords.Credential] {
        let lanes = max(1, ProcessInfo.processInfo.activeProcessorCount)
        var results = [Passwords.Credential?](repeating: nil, count: addresses.count)
        try await withThrowingTaskGroup(of: (Int, Passwords.Credential).self) { group in
            var next = 0
            func startNext() {
                guard next < addresses.count else { return }
                let index = next
                next += 1
                group.addTask { (index, try Passwords.credential(for: addresses[index], given: nil)) }
            }
            for _ in 0..<lanes { startNext() }
            while let (index, credential) = try await group.next() {
                results[index] = credential
                startNext()
            }
        }
        return results.compactMap { $0 }
    }
}
