/// The column names and types of a result, shared by its rows.
public final class PostgresColumns: Sendable {
    /// Column names in order.
    public let names: [String]
    /// Column types in order.
    public let types: [PostgresDataType]
    private let indexByName: [String: Int]

    init(names: [String], types: [PostgresDataType]) {
        self.names = names
        self.types = types
        var index: [String: Int] = [:]
        for (i, name) in names.enumerated() where index[name] == nil { index[name] = i }
        self.indexByName = index
    }

    /// The position of a column, or nil.
    public func index(of name: String) -> Int? { indexByName[name] }
}

/// One row of a query result, with typed access by column name or position.
public struct PostgresRow: Sendable {
    /// The result's columns.
    public let columns: PostgresColumns
    let values: ArraySlice<String?>

    /// True when the column is SQL NULL. Throws when there is no such column.
    public func isNull(_ column: String) throws(PostgresError) -> Bool {
        values[values.startIndex + (try position(of: column))] == nil
    }

    /// Decodes the named column as `T` (use an Optional type for nullable columns).
    ///
    /// Throws `.decoding` naming the column when it is missing, NULL for a non-optional type, of a
    /// type that does not decode as `T`, or malformed.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, _ column: String) throws(PostgresError) -> T {
        try decode(type, at: try position(of: column))
    }

    /// Decodes the column at `index` as `T`.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at index: Int) throws(PostgresError) -> T {
        guard index >= 0, index < columns.names.count else {
            throw PostgresError(code: .decoding, message: "no column at position \(index)")
        }
        let name = columns.names[index]
        let dataType = columns.types[index]
        if let text = values[values.startIndex + index] {
            return try T.decode(text: text, type: dataType, column: name)
        }
        return try T.decodeNull(type: dataType, column: name)
    }

    private func position(of column: String) throws(PostgresError) -> Int {
        guard let index = columns.index(of: column) else {
            throw PostgresError(code: .decoding,
                                message: "no column '\(column)' in the result (columns: \(columns.names.joined(separator: ", ")))")
        }
        return index
    }
}

/// All rows of a query result, read into memory. For large results use `copyOut`.
public struct PostgresRows: Sendable, RandomAccessCollection {
    /// The result's columns.
    public let columns: PostgresColumns
    let values: [String?]
    /// The number of rows affected by an INSERT/UPDATE/DELETE (0 for others).
    public let affectedRows: Int

    public var startIndex: Int { 0 }
    public var endIndex: Int { columns.names.isEmpty ? 0 : values.count / columns.names.count }

    public subscript(position: Int) -> PostgresRow {
        let width = columns.names.count
        return PostgresRow(columns: columns, values: values[(position * width)..<((position + 1) * width)])
    }
}
