import GRDB

/// Transactions and savepoints through cached statements.
///
/// GRDB's `inTransaction` and `inSavepoint` prepare their BEGIN, SAVEPOINT, RELEASE and COMMIT
/// statements anew on every call, and each preparation runs GRDB's authorizer: a delivery paid
/// for six of them. These run the same SQL from the statement cache; GRDB still sees every
/// execution (it reads a statement's effect on the transaction when it is prepared and applies
/// it on each run), so its own bookkeeping stays right.
extension Database {
    /// Runs `body` in `BEGIN IMMEDIATE ... COMMIT`, rolling back if it throws.
    func inImmediateTransaction(_ body: () throws -> Void) throws {
        try cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
        do {
            try body()
            try cachedStatement(sql: "COMMIT TRANSACTION").execute()
        } catch {
            // SQLite may already have rolled back (I/O error, disk full): nothing left to undo.
            if isInsideTransaction { try? cachedStatement(sql: "ROLLBACK TRANSACTION").execute() }
            throw error
        }
    }

    /// Runs `body` in a savepoint inside the current transaction: what it did is undone if it
    /// throws, and the transaction goes on. Savepoints nest (SQLite releases and rolls back the
    /// innermost of a name).
    func inNestedSavepoint<T>(_ body: () throws -> T) throws -> T {
        precondition(isInsideTransaction, "a savepoint here must nest in a transaction")
        try cachedStatement(sql: "SAVEPOINT mailgate").execute()
        do {
            let value = try body()
            try cachedStatement(sql: "RELEASE SAVEPOINT mailgate").execute()
            return value
        } catch {
            if isInsideTransaction {
                // ROLLBACK TO keeps the savepoint on the stack; RELEASE then removes it.
                try? cachedStatement(sql: "ROLLBACK TRANSACTION TO SAVEPOINT mailgate").execute()
                try? cachedStatement(sql: "RELEASE SAVEPOINT mailgate").execute()
            }
            throw error
        }
    }
}
