/// The payload of a Fineract message (`MessageV1.data`), by schema.
///
/// What Fineract's producer writes; used by tests and the benchmark (``FineractMessageBuilder``).
public enum FineractEventPayload: Sendable, Hashable {
    /// `LoanAccountDataV1`: a loan event (disbursal, status change, write-off, officer change, ...).
    case loan(FineractLoanPayload)
    /// `LoanTransactionDataV1`: a transaction event (repayment, waiver, ...).
    case transaction(FineractTransactionPayload)
    /// `LoanTransactionAdjustmentDataV1` (`LoanAdjustTransactionBusinessEvent`): the transaction
    /// adjusted (reversed), and its replacement when there is one.
    case adjustment(transactionToAdjust: FineractTransactionPayload, newTransactionDetail: FineractTransactionPayload?)
    /// `BulkMessagePayloadV1` (`BulkBusinessEvent`): several events of one loan; each item's `id`
    /// is its position from 1, its category `nocategory` (as Fineract writes them).
    case bulk([BulkItem])

    /// One event inside a bulk payload: its type (e.g. `LoanAdjustTransactionBusinessEvent`) and payload.
    public struct BulkItem: Sendable, Hashable {
        /// The event's type (its Java class name).
        public var type: String
        /// The event's payload.
        public var payload: FineractEventPayload

        /// An item.
        public init(type: String, payload: FineractEventPayload) {
            self.type = type
            self.payload = payload
        }
    }

    /// The fullname of the payload's schema (`MessageV1.dataschema`).
    public var schemaName: String {
        switch self {
        case .loan: return Self.loanSchemaName
        case .transaction: return Self.transactionSchemaName
        case .adjustment: return Self.adjustmentSchemaName
        case .bulk: return "org.apache.fineract.avro.BulkMessagePayloadV1"
        }
    }
}
