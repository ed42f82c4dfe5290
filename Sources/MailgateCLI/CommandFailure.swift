import ArgumentParser
import Foundation
import MailStore
import MailgateCore

/// Maps an error to INTERFACE.md's exit status and prints its one-line reason on stderr:
/// 1 for an operation the store refused, 2 for bad usage (including a bad configuration).
enum CommandFailure {
    static func exitCode(for error: any Error) -> Int32 {
        switch error {
        case let refusal as StoreRefusal:
            printError(refusal.description)
            return 1
        case let refusal as RefusedOperation:
            printError(refusal.reason)
            return 1
        case let config as ConfigError:
            printError(config.description)
            return 2
        case let exit as ExitCode:
            return exit.rawValue
        default:
            let message = MailgateCommand.fullMessage(for: error)
            if !message.isEmpty { printError(message) }
            let code = MailgateCommand.exitCode(for: error)
            // ArgumentParser answers bad usage with 64 (EX_USAGE); INTERFACE.md says 2.
            return code == .validationFailure ? 2 : code.rawValue
        }
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("mailgate: \(message)\n".utf8))
    }
}

/// A refusal decided by the command line itself (a password rule, a bad CSV row count).
struct RefusedOperation: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Runs the root command with INTERFACE.md's exit statuses.
public enum MailgateMain {
    public static func main() async -> Int32 {
        do {
            var command = try MailgateCommand.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch {
            if MailgateCommand.exitCode(for: error) == .success, !(error is StoreRefusal), !(error is ConfigError) {
                // --help and --version.
                print(MailgateCommand.fullMessage(for: error))
                return 0
            }
            return CommandFailure.exitCode(for: error)
        }
    }
}
