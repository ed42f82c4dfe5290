import ArgumentParser
import Foundation
import MailStore
import MailStoreSQLite
import MailgateCore
import NIOPosix

/// `mailgate-bench password`: what a sign-in costs, with the production scrypt parameters and
/// through the sign-in gate's cache of recent successes.
struct PasswordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "password",
        abstract: "Measures password hashing, verification, and cached verification through SignInGate.")

    @Option(help: "Hashes and verifications timed (the median is reported).")
    var rounds = 10

    @Option(help: "Cached sign-ins timed through SignInGate.")
    var cachedCalls = 10_000

    @Flag(help: "Print the results as JSON.")
    var json = false

    func validate() throws {
        guard rounds > 0, cachedCalls > 0 else { throw ValidationError("counts must be positive") }
    }

    func run() async throws {
        let hasher = PasswordHasher()
        let password = BenchDirectory.password
        let clock = ContinuousClock()

        var hash = ""
        let hashing = try (0..<rounds).map { _ in try clock.measure { hash = try hasher.hash(password) } }
        let verifying = try (0..<rounds).map { _ in
            try clock.measure {
                guard hasher.verify(password, against: hash) else { throw BenchError("the hash does not verify") }
            }
        }

        let folder = try BenchFolder(nil)
        defer { folder.removeIfTemporary() }
        let store = try SQLiteMailStore(directory: folder.file("store"))
        _ = try await BenchDirectory.seed(store, users: 1, passwordHash: hash)
        guard let login = BenchDirectory.address(0) else { throw BenchError("no bench address") }
        let threads = NIOThreadPool(numberOfThreads: 1)
        threads.start()
        let gate = SignInGate(store: store, clock: SystemClock(), hasher: hasher, threadPool: threads)
        let signIn = { @Sendable in
            guard
                case .success = await gate.signIn(
                    login.description, password: password, from: nil, service: .activeSync)
            else { throw BenchError("the bench user cannot sign in") }
        }
        let uncached = try await clock.measure { try await signIn() }
        let cached = try await clock.measure {
            for _ in 0..<cachedCalls { try await signIn() }
        }
        // What the two store reads of a cached sign-in (credentials, settings) cost on their own.
        let reads = try await clock.measure {
            for _ in 0..<cachedCalls {
                _ = try await store.credentials(for: login)
                _ = try await store.settings()
            }
        }
        try await threads.shutdownGracefully()

        let report = PasswordReport(
            parameters: "scrypt ln=\(hasher.logN),r=\(hasher.blockSize),p=\(hasher.parallelism)", rounds: rounds,
            hashMilliseconds: Self.median(hashing).milliseconds,
            verifyMilliseconds: Self.median(verifying).milliseconds,
            uncachedSignInMilliseconds: uncached.milliseconds, cachedCalls: cachedCalls,
            cachedSignInMicroseconds: cached.microseconds / Double(cachedCalls),
            storeReadsMicroseconds: reads.microseconds / Double(cachedCalls))
        print(try report.rendered(asJSON: json))
    }

    static func median(_ samples: [Duration]) -> Duration { LatencySummary.percentile(0.5, of: samples.sorted()) }
}

/// The results of `mailgate-bench password`.
struct PasswordReport: BenchReport, Codable {
    var parameters: String
    var rounds: Int
    var hashMilliseconds: Double
    var verifyMilliseconds: Double
    /// A first sign-in through the gate: store reads plus one scrypt on the thread pool.
    var uncachedSignInMilliseconds: Double
    var cachedCalls: Int
    /// A repeated sign-in through the gate: store reads plus an HMAC, no scrypt.
    var cachedSignInMicroseconds: Double
    var storeReadsMicroseconds: Double

    var text: String {
        """
        password benchmark, \(parameters) (PasswordHasher defaults)
        hash:                        \(formatted(hashMilliseconds, 1)) ms (median of \(rounds))
        verify:                      \(formatted(verifyMilliseconds, 1)) ms (median of \(rounds))
        first sign-in, SignInGate:   \(formatted(uncachedSignInMilliseconds, 1)) ms (store reads + one verify)
        cached sign-in, SignInGate:  \(formatted(cachedSignInMicroseconds, 1)) µs per call (mean of \(cachedCalls))
          of which store reads:      \(formatted(storeReadsMicroseconds, 1)) µs (credentials + settings)
        """
    }
}
