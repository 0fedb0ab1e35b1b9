/// A loan's status as the lending system reports it (`loans.status`).
public enum LoanStatus: String, CaseIterable, Hashable, Sendable {
    /// Being repaid.
    case active = "Active"
    /// Repaid and closed.
    case closed = "Closed"
    /// Written off as a loss.
    case writtenOff = "Written Off"
    /// Cancelled: the loan counts nowhere (METRICS 1).
    case cancelled = "Cancelled"
}
