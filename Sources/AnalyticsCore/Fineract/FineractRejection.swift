/// Why a Fineract loan is rejected whole, naming the table, row and column at fault (for
/// `etl_rejects`; never customer data beyond the ids and the amount refused).
public struct FineractRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// The Fineract table (`m_loan_transaction`).
    public var table: String
    /// The row: its id, or a list of ids (`rows 5, 6, 7`).
    public var row: String
    /// The column.
    public var column: String
    /// What is wrong.
    public var message: String

    /// Creates a rejection.
    public init(table: String, row: String, column: String, message: String) {
        self.table = table
        self.row = row
        self.column = column
        self.message = message
    }

    /// `m_loan_transaction row 77 column amount: 10.125 has a non-zero third decimal ...`.
    public var description: String { "\(table) row \(row) column \(column): \(message)" }
}
