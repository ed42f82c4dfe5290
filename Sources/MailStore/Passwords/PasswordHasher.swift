import Crypto
import CryptoExtras
import Foundation
public import MailgateCore

/// Hashes and verifies passwords with scrypt (RFC 7914), in the PHC string format
/// `$scrypt$ln=15,r=8,p=3$SALT$HASH` (base64 without padding).
///
/// Parameters are stored in each hash, so raising them later re-hashes nobody and still
/// verifies old hashes. The defaults are OWASP's scrypt row N=2^15, r=8, p=3 (32 MiB).
/// Both calls are slow on purpose (tens of milliseconds) and block their thread: run them
/// off the event loops (``SignInGate`` uses a thread pool).
public struct PasswordHasher: Sendable {
    public var logN: Int
    public var blockSize: Int
    public var parallelism: Int

    public init(logN: Int = 15, blockSize: Int = 8, parallelism: Int = 3) {
        self.logN = logN
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    /// A fast hasher for tests only: the same format, a tiny cost.
    public static let forTesting = PasswordHasher(logN: 4, blockSize: 1, parallelism: 1)

    /// Makes a new hash of `password` with a fresh 16-byte random salt.
    public func hash(_ password: Secret) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let derived = try derive(password, salt: salt, logN: logN, r: blockSize, p: parallelism)
        return "$scrypt$ln=\(logN),r=\(blockSize),p=\(parallelism)$\(Self.base64(salt))$\(Self.base64(derived))"
    }

    /// Checks `password` against a stored hash in constant time with respect to the bytes
    /// compared. A malformed hash verifies nothing.
    public func verify(_ password: Secret, against stored: String) -> Bool {
        guard let parsed = ParsedHash(stored),
            let derived = try? derive(password, salt: parsed.salt, logN: parsed.logN, r: parsed.r, p: parsed.p)
        else { return false }
        return Self.constantTimeEqual(derived, parsed.hash)
    }

    private func derive(_ password: Secret, salt: [UInt8], logN: Int, r: Int, p: Int) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.exposedValue.utf8), salt: salt, outputByteCount: 32, rounds: 1 << logN,
            blockSize: r, parallelism: p)
        return key.withUnsafeBytes { Array($0) }
    }

    /// Compares without an early exit, so timing reveals nothing about where bytes differ.
    public static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    static func unbase64(_ text: Substring) -> [UInt8]? {
        let padded = String(text) + String(repeating: "=", count: (4 - text.count % 4) % 4)
        return Data(base64Encoded: padded).map { Array($0) }
    }

    /// The parts of a stored hash, with bounds on the cost so a tampered row cannot make a
    /// sign-in allocate gigabytes.
    struct ParsedHash {
        var logN: Int
        var r: Int
        var p: Int
        var salt: [UInt8]
        var hash: [UInt8]

        init?(_ text: String) {
            let parts = text.split(separator: "$", omittingEmptySubsequences: false)
            guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt" else { return nil }
            var values: [Substring: Int] = [:]
            for pair in parts[2].split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                guard kv.count == 2, let value = Int(kv[1]) else { return nil }
                values[kv[0]] = value
            }
            guard let logN = values["ln"], let r = values["r"], let p = values["p"],
                (1...20).contains(logN), (1...32).contains(r), (1...16).contains(p),
                let salt = PasswordHasher.unbase64(parts[3]), let hash = PasswordHasher.unbase64(parts[4]),
                (8...64).contains(salt.count), hash.count == 32
            else { return nil }
            self.logN = logN
            self.r = r
            self.p = p
            self.salt = salt
            self.hash = hash
        }
    }
}
