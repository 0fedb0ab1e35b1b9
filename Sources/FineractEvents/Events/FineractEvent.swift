import AnalyticsCore

/// One Fineract business event as the consumer reads it: from a `MessageV1`, or one item of a
/// `BulkMessagePayloadV1` (whose items share the envelope's id and idempotency key).
public struct FineractEvent: Sendable, Equatable {
    /// The event type (`LoanDisbursalBusinessEvent`).
    public var type: String
    /// The payload's schema fullname (`org.apache.fineract.avro.loan.v1.LoanAccountDataV1`).
    public var dataschema: String
    /// What the payload says, in the input types of ``FineractMapping``.
    public var content: FineractEventContent

    /// Creates an event.
    public init(type: String, dataschema: String, content: FineractEventContent) {
        self.type = type
        self.dataschema = dataschema
        self.content = content
    }
}

/// What an event carries that the analytics use.
public enum FineractEventContent: Sendable, Equatable {
    /// A loan with its schedule (`LoanAccountDataV1`): the loan row as the pull reads it (client,
    /// officer and fund by the names on the loan; phones are the stored master data's) and its
    /// installments (the disbursement periods left out).
    case loan(FineractLoanRow, schedule: [FineractInstallment])
    /// One transaction (`LoanTransactionDataV1`) of a loan, with the ids it has REPLAYED relations to.
    case transaction(loanID: Int64, FineractTransaction, replays: [Int64])
    /// An adjustment (`LoanTransactionAdjustmentDataV1`): the adjusted (reversed) transaction, and the
    /// new one when there is one, each with the ids it has REPLAYED relations to.
    case adjustment(loanID: Int64, old: FineractTransaction, oldReplays: [Int64], new: FineractTransaction?, newReplays: [Int64])
    /// Not for the metrics (or left to the pull): counted under `reason` and acknowledged.
    case ignored(reason: String)
}
