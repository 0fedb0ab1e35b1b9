import AnalyticsCore

/// The `MessageV1` fields around a payload, as Fineract's producer fills them
/// (`MessageFactory.createMessage`, `ExternalEventService`).
///
/// What Fineract's producer writes; used by tests and the benchmark (``FineractMessageBuilder``).
public struct FineractEventEnvelope: Sendable, Hashable {
    /// The outbox row's id (`m_external_event.id`), increasing per tenant: the consumer's "newer
    /// snapshot" order.
    public var id: Int32
    /// The producing Fineract instance: a UUID drawn when the instance starts.
    public var source: String
    /// The business event's type, its Java class name: `LoanDisbursalBusinessEvent`,
    /// `LoanTransactionMakeRepaymentPostBusinessEvent`, `LoanAdjustTransactionBusinessEvent`,
    /// `BulkBusinessEvent`, ...
    public var type: String
    /// The event's category: `Loan` for loan and loan-transaction events, `Bulk` for a bulk event.
    public var category: String
    /// When the event was written, UTC, `yyyy-MM-ddTHH:mm:ss.SSSSSS` (6 to 9 fraction digits).
    public var createdAt: String
    /// The tenant's business date.
    public var businessDate: CalendarDate
    /// The tenant identifier (`default` in a stock installation).
    public var tenantId: String
    /// A UUID per event (`DefaultExternalEventIdempotencyKeyGenerator`); a redelivery repeats it.
    public var idempotencyKey: String

    /// An envelope. `idempotencyKey` defaults to a fresh random UUID, as Fineract draws one.
    public init(id: Int32, type: String, category: String = "Loan", createdAt: String = "2024-03-01T10:15:30.123456",
                businessDate: CalendarDate, tenantId: String = "default",
                source: String = "6f1d2c3b-4a59-4e68-9f7a-8b9c0d1e2f30", idempotencyKey: String? = nil) {
        self.id = id
        self.source = source
        self.type = type
        self.category = category
        self.createdAt = createdAt
        self.businessDate = businessDate
        self.tenantId = tenantId
        self.idempotencyKey = idempotencyKey ?? FineractEventEnvelope.randomUUID()
    }

    /// A random (version 4) UUID in lower-case text.
    public static func randomUUID() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = bytes.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
    }
}
