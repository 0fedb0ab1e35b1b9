/// `FINERACT_CHANNEL`: what a Fineract loan's `channel` is.
public enum FineractChannel: String, Sendable {
    /// Every loan is `Direct` (the default).
    case direct
    /// The loan's `m_fund.name`, `Direct` for a loan without a fund.
    case fund
}
