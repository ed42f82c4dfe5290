import Foundation
import GRDB
public import MailStore

extension SQLiteMailStore {
    // MARK: Domains

    public func addDomain(_ name: String) async throws -> DomainInfo {
        let domain = name.lowercased()
        guard EmailAddress.isDomain(Substring(domain)) else { throw StoreRefusal.invalidDomain(name) }
        let token = "mailgate-verification=" + Self.randomHex(bytes: 16)
        return try await write { db, changes in
            guard try !Self.domainExists(db, domain) else { throw StoreRefusal.domainExists(domain) }
            try db.execute(
                sql: "INSERT INTO domain (name, added_at, verification_token) VALUES (?, ?, ?)",
                arguments: [domain, changes.now, token])
            try changes.record(.directory)
            return DomainInfo(
                name: domain, addedAt: Date(timeIntervalSince1970: changes.now), verificationToken: token,
                lastVerification: nil)
        }
    }

    public func removeDomain(_ name: String) async throws {
        let domain = name.lowercased()
        try await write { db, changes in
            guard try Self.domainExists(db, domain) else { throw StoreRefusal.domainUnknown(domain) }
            let inUse =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT count(*) FROM address WHERE domain = ? AND is_live = 1"),
                    arguments: [domain])
                ?? 0
            guard inUse == 0 else { throw StoreRefusal.domainInUse(domain, addresses: inUse) }
            try db.execute(sql: "DELETE FROM domain WHERE name = ?", arguments: [domain])
            try changes.record(.directory)
        }
    }

    public func domains() async throws -> [DomainInfo] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM domain ORDER BY name")).map(Self.domain(from:))
        }
    }

    public func domain(_ name: String) async throws -> DomainInfo? {
        let domain = name.lowercased()
        return try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM domain WHERE name = ?"), arguments: [domain]).map(
                Self.domain(from:))
        }
    }

    public func recordVerification(_ verification: DomainVerification, for name: String) async throws {
        let domain = name.lowercased()
        try await write { db, changes in
            try db.execute(
                sql: """
                    UPDATE domain SET verified_at = ?, verification_passed = ?, verification_summary = ? WHERE name = ?
                    """,
                arguments: [verification.at.timeIntervalSince1970, verification.passed, verification.summary, domain])
            guard db.changesCount == 1 else { throw StoreRefusal.domainUnknown(domain) }
            try changes.record(.directory)
        }
    }

    static func domainExists(_ db: Database, _ domain: String) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM domain WHERE name = ?)"), arguments: [domain])
            ?? false
    }

    static func domain(from row: Row) -> DomainInfo {
        var verification: DomainVerification?
        if let at: Double = row["verified_at"] {
            verification = DomainVerification(
                at: Date(timeIntervalSince1970: at), passed: row["verification_passed"] ?? false,
                summary: row["verification_summary"] ?? "")
        }
        return DomainInfo(
            name: row["name"], addedAt: Date(timeIntervalSince1970: row["added_at"]),
            verificationToken: row["verification_token"], lastVerification: verification)
    }

    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }
            .joined()
    }

    // MARK: Licenses

    public func addLicenses(sku: String, count: Int) async throws -> LicenseInfo {
        guard LicenseInfo.isValidSKU(sku) else { throw StoreRefusal.invalidSKU(sku) }
        guard (1...1_000_000).contains(count) else { throw StoreRefusal.invalidCount(count) }
        return try await write { db, changes in
            try db.execute(
                sql: """
                    INSERT INTO sku (name, total) VALUES (?, ?)
                    ON CONFLICT (name) DO UPDATE SET total = total + excluded.total
                    """, arguments: [sku, count])
            try changes.record(.directory)
            return try Self.license(db, sku)
        }
    }

    public func setLicenseTotal(sku: String, total: Int) async throws -> LicenseInfo {
        guard (0...1_000_000).contains(total) else { throw StoreRefusal.invalidCount(total) }
        return try await write { db, changes in
            let current = try Self.license(db, sku)
            // Administrator's guide, "Manage licenses": nobody is unlicensed silently.
            guard total >= current.assigned else {
                throw StoreRefusal.licenseCountBelowAssigned(sku: sku, requested: total, assigned: current.assigned)
            }
            try db.execute(sql: "UPDATE sku SET total = ? WHERE name = ?", arguments: [total, sku])
            try changes.record(.directory)
            return LicenseInfo(sku: sku, total: total, assigned: current.assigned)
        }
    }

    public func licenses() async throws -> [LicenseInfo] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT name, total, assigned FROM sku ORDER BY name")).map {
                LicenseInfo(sku: $0["name"], total: $0["total"], assigned: $0["assigned"])
            }
        }
    }

    static func license(_ db: Database, _ sku: String) throws -> LicenseInfo {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT total, assigned FROM sku WHERE name = ?"), arguments: [sku])
        else { throw StoreRefusal.licenseUnknown(sku) }
        return LicenseInfo(sku: sku, total: row["total"], assigned: row["assigned"])
    }

    // MARK: Settings

    public func settings() async throws -> OrganisationSettings {
        try await read { db in try Self.settings(db) }
    }

    public func updateSettings(_ change: @escaping @Sendable (inout OrganisationSettings) throws -> Void) async throws
        -> OrganisationSettings
    {
        try await write { db, changes in
            var settings = try Self.settings(db)
            try change(&settings)
            try db.execute(
                sql: "UPDATE organisation SET settings = ? WHERE id = 1",
                arguments: [String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)])
            try changes.record(.settings)
            return settings
        }
    }

    static func settings(_ db: Database) throws -> OrganisationSettings {
        guard let text = try String.fetchOne(db.cachedStatement(sql: "SELECT settings FROM organisation WHERE id = 1"))
        else {
            return .defaults
        }
        return try JSONDecoder().decode(OrganisationSettings.self, from: Data(text.utf8))
    }
}
