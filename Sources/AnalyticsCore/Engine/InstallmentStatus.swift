/// An installment's status at an as-of date (METRICS 3).
public enum InstallmentStatus: String, Hashable, Sendable {
    /// Covered on or before the as-of date.
    case paid = "Paid"
    /// Not covered, but part of it is paid (and it is not a zero-total installment).
    case partial = "Partial"
    /// Nothing paid yet.
    case pending = "Pending"
}
