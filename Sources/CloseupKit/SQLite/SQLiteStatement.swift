// A prepared statement: bind, step, read columns. Text is bound transient
// (SQLite copies it), so no Swift buffer has to outlive the call.
import CSQLite

/// A value bound to a `?` placeholder.
public enum SQLiteValue: Sendable, Equatable {
    case integer(Int64)
    case text(String)
    case null
}

public final class SQLiteStatement {
    private let statement: OpaquePointer
    private let database: SQLiteDatabase

    init(statement: OpaquePointer, database: SQLiteDatabase) {
        self.statement = statement
        self.database = database
    }

    deinit { sqlite3_finalize(statement) }

    /// Binds `values` to the placeholders in order, replacing earlier bindings.
    @discardableResult
    public func bind(_ values: [SQLiteValue]) throws(CloseupError) -> SQLiteStatement {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status =
                switch value {
                case .integer(let number): sqlite3_bind_int64(statement, index, number)
                case .text(let text): sqlite3_bind_text(statement, index, text, -1, closeup_sqlite_transient())
                case .null: sqlite3_bind_null(statement, index)
                }
            guard status == SQLITE_OK else { throw database.failure(database.lastError) }
        }
        return self
    }

    /// Advances to the next row: true while there is one.
    public func step() throws(CloseupError) -> Bool {
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.failure(database.lastError)
        }
    }

    /// Runs a statement that returns no rows.
    public func run(_ values: [SQLiteValue] = []) throws(CloseupError) {
        try bind(values)
        while try step() {}
    }

    public func integer(_ column: Int32) -> Int64? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, column)
    }

    public func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(statement, column) else { return nil }
        return String(cString: bytes)
    }

    /// First column of the first row as an integer, or nil without rows.
    public func firstInteger(_ values: [SQLiteValue] = []) throws(CloseupError) -> Int64? {
        try bind(values)
        return try step() ? integer(0) : nil
    }
}
