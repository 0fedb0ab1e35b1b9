/// The `dataschema` values and event types the consumer acts on (FINERACT.md "The events"; facts from
/// apache/fineract 1.10.1: each business event's serializer and the `m_external_event_configuration`
/// rows of its Liquibase changelogs). Every other dataschema or type is counted and acknowledged.
public enum FineractEventSchemas {
    /// `MessageV1`: the envelope of every message.
    public static let message = "org.apache.fineract.avro.MessageV1"
    /// `BulkMessagePayloadV1`: the items of a bulk event (`BulkBusinessEvent`, replays arrive this way).
    public static let bulk = "org.apache.fineract.avro.BulkMessagePayloadV1"
    /// A loan with its schedule (every `LoanBusinessEvent` without a serializer of its own).
    public static let loanAccount = "org.apache.fineract.avro.loan.v1.LoanAccountDataV1"
    /// One loan transaction (every `LoanTransactionBusinessEvent`).
    public static let loanTransaction = "org.apache.fineract.avro.loan.v1.LoanTransactionDataV1"
    /// A transaction adjusted: the old one and its replacement (`LoanAdjustTransactionBusinessEvent`).
    public static let loanTransactionAdjustment = "org.apache.fineract.avro.loan.v1.LoanTransactionAdjustmentDataV1"

    /// The event types whose payload is a loan with its schedule, that the operator enables
    /// (`LoanAccountDataV1`): disbursal and its undoing, status changes, write-off, close,
    /// reschedules, officer changes, fee changes (only `LoanBalanceChangedBusinessEvent` carries a
    /// change of fees after disbursal), re-ageing and re-amortization.
    public static let loanEventTypes: [String] = [
        "LoanDisbursalBusinessEvent", "LoanUndoDisbursalBusinessEvent", "LoanUndoLastDisbursalBusinessEvent",
        "LoanStatusChangedBusinessEvent", "LoanBalanceChangedBusinessEvent", "LoanCloseBusinessEvent",
        "LoanCloseAsRescheduleBusinessEvent", "LoanReassignOfficerBusinessEvent", "LoanRemoveOfficerBusinessEvent",
        "LoanRescheduledDueAdjustScheduleBusinessEvent", "LoanRescheduledDueCalendarChangeBusinessEvent",
        "LoanRescheduledDueHolidayBusinessEvent", "LoanScheduleVariationsAddedBusinessEvent",
        "LoanScheduleVariationsDeletedBusinessEvent", "LoanInterestRecalculationBusinessEvent",
        "LoanUpdateDisbursementDataBusinessEvent", "LoanAcceptTransferBusinessEvent", "LoanReAgeBusinessEvent",
        "LoanUndoReAgeBusinessEvent", "LoanReAmortizeBusinessEvent", "LoanUndoReAmortizeBusinessEvent",
    ]

    /// The event types whose payload is one transaction (`LoanTransactionDataV1`) that the mapping
    /// can turn into a repayment, waiver or credit (FINERACT.md "The mapping"), or must refuse (the
    /// chargeback), plus the write-off and its undoing, which change the loan (their loan event
    /// follows as `LoanStatusChangedBusinessEvent`).
    public static let transactionEventTypes: [String] = [
        "LoanTransactionMakeRepaymentPostBusinessEvent", "LoanTransactionRecoveryPaymentPostBusinessEvent",
        "LoanChargePaymentPostBusinessEvent", "LoanTransactionDownPaymentPostBusinessEvent",
        "LoanTransactionMerchantIssuedRefundPostBusinessEvent", "LoanTransactionPayoutRefundPostBusinessEvent",
        "LoanTransactionGoodwillCreditPostBusinessEvent", "LoanChargeRefundBusinessEvent",
        "LoanChargeAdjustmentPostBusinessEvent", "LoanWaiveInterestBusinessEvent", "LoanForeClosurePostBusinessEvent",
        "LoanChargebackTransactionBusinessEvent", "LoanWrittenOffPostBusinessEvent", "LoanUndoWrittenOffBusinessEvent",
    ]

    /// The adjustment event (`LoanTransactionAdjustmentDataV1`): a person's reversal or change of a
    /// transaction, and every replay of a backdated one.
    public static let adjustmentEventTypes: [String] = ["LoanAdjustTransactionBusinessEvent"]

    /// Every type the README asks the operator to enable, in that order.
    public static var enabledTypes: [String] { loanEventTypes + transactionEventTypes + adjustmentEventTypes }

    /// The last part of a dataschema (`LoanAccountDataV1`), for counters and logs.
    public static func shortName(_ dataschema: String) -> String {
        dataschema.split(separator: ".").last.map(String.init) ?? dataschema
    }
}
