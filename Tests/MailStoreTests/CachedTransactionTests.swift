import GRDB
import Testing

@testable import MailStoreSQLite

@Suite("Transactions and savepoints through cached statements")
struct CachedTransactionTests {
    struct Refused: Error {}

    func rows(_ db: Database) throws -> [Int] { try Int.fetchAll(db, sql: "SELECT n FROM t ORDER BY n") }

    /// Whether `body` threw ``Refused``. Called outside `#expect`, which may evaluate its
    /// expression more than once (and `#expect(throws:)` inside GRDB's closures crashes the
    /// Swift 6.3 compiler's SendNonSendable pass).
    func refuses(_ body: () throws -> Void) -> Bool {
        do {
            try body()
            return false
        } catch {
            return error is Refused
        }
    }

    @Test("A savepoint that throws undoes only its own writes; nested ones unwind innermost first")
    func savepoints() throws {
        let queue = try DatabaseQueue()
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "CREATE TABLE t (n INTEGER)")
            try db.inImmediateTransaction {
                try db.execute(sql: "INSERT INTO t VALUES (1)")
                let refused = refuses {
                    try db.inNestedSavepoint {
                        try db.execute(sql: "INSERT INTO t VALUES (2)")
                        throw Refused()
                    }
                }
                #expect(refused)
                let kept = try db.inNestedSavepoint { () -> Int in
                    try db.execute(sql: "INSERT INTO t VALUES (3)")
                    let refused = refuses {
                        try db.inNestedSavepoint {
                            try db.execute(sql: "INSERT INTO t VALUES (4)")
                            throw Refused()
                        }
                    }
                    #expect(refused)
                    return 3
                }
                #expect(kept == 3)
                #expect(try rows(db) == [1, 3])
            }
            #expect(!db.isInsideTransaction)
            #expect(try rows(db) == [1, 3])
        }
    }

    @Test("A transaction that throws is rolled back whole; the statements are reused")
    func transactionRollback() throws {
        let queue = try DatabaseQueue()
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "CREATE TABLE t (n INTEGER)")
            var refusals = 0
            for round in 0..<3 {
                do {
                    try db.inImmediateTransaction {
                        try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: [round])
                        throw Refused()
                    }
                } catch is Refused {
                    refusals += 1
                }
                try db.inImmediateTransaction {
                    try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: [10 + round])
                }
            }
            #expect(refusals == 3)
            #expect(!db.isInsideTransaction)
            #expect(try rows(db) == [10, 11, 12])
        }
    }
}
