/// A decoded `MessageV1` envelope (FINERACT.md "The events"). `id` is an `int` in some Fineract
/// releases and a `long` in others; both are read as `Int64`.
public struct FineractEventMessage: Sendable, Equatable {
    /// The outbox id (`m_external_event.id`): increasing per tenant, the order of loan snapshots.
    public var id: Int64
    /// The event type (`BulkBusinessEvent` for a bulk).
    public var type: String
    /// The payload's schema fullname.
    public var dataschema: String
    /// Fineract's key for this event: the same on every delivery of it.
    public var idempotencyKey: String
    /// `createdAt` as sent.
    public var createdAt: String
    /// `businessDate` (`YYYY-MM-DD`).
    public var businessDate: String
    /// `tenantId`.
    public var tenantID: String
    /// The events: one, or a bulk's items in order. An item that could not be decoded is a
    /// ``FineractEventFailure`` to park, the others still apply.
    public var events: [Result<FineractEvent, FineractEventFailure>]

    /// Creates a message.
    public init(id: Int64, type: String, dataschema: String, idempotencyKey: String, createdAt: String, businessDate: String,
                tenantID: String, events: [Result<FineractEvent, FineractEventFailure>]) {
        self.id = id
        self.type = type
        self.dataschema = dataschema
        self.idempotencyKey = idempotencyKey
        self.createdAt = createdAt
        self.businessDate = businessDate
        self.tenantID = tenantID
        self.events = events
    }
}
