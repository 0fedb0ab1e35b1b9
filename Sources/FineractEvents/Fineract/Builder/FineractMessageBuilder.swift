import AnalyticsCore

/// Builds the messages Fineract's external-event producer writes: `MessageV1` single-object bytes
/// whose `data` is a single-object `LoanAccountDataV1`, `LoanTransactionDataV1`,
/// `LoanTransactionAdjustmentDataV1` or `BulkMessagePayloadV1`, for one release's schema set.
///
/// What Fineract's producer writes; used by tests and the benchmark. Every field of every record
/// is written: the payload types' values, what Fineract derives from them (status and type flags,
/// currency, summary and schedule totals, as `LoanAccountDataMapper`, `LoanTransactionDataMapper`
/// and the business-event serializers fill them), and null where the schema allows it for the rest.
/// The bytes come from ``AvroEncoder`` over the release's schemas, so they carry that release's
/// fingerprints. Thread-safe: a builder has no mutable state.
public struct FineractMessageBuilder: Sendable {
    /// The Fineract release whose schemas are written, e.g. `1.10.1`.
    public let release: String
    private let schemas: [String: AvroParsedSchema]
    private let encoder = AvroEncoder()

    static let namespace = "org.apache.fineract.avro"
    static let messageSchema = "org.apache.fineract.avro.MessageV1"
    static let bulkItemSchema = "org.apache.fineract.avro.BulkMessageItemV1"

    /// The releases a builder can write (those of ``FineractSchemaSets``), newest first.
    public static var releases: [String] { FineractSchemaSets.releases.map(\.name) }

    /// A builder for `release` (default: the newest carried).
    public init(release: String? = nil) throws(FineractMessageError) {
        let release = release ?? Self.releases.first ?? ""
        guard let set = FineractSchemaSets.releases.first(where: { $0.name == release }) else {
            throw .unknownRelease(release, known: Self.releases)
        }
        let parsed: [AvroParsedSchema]
        do throws(AvroSchemaError) {
            parsed = try AvroSchemaParser.parseSet(set.documents.map { Array($0.utf8) })
        } catch {
            throw .schemas(error)
        }
        var schemas: [String: AvroParsedSchema] = [:]
        for schema in parsed {
            if let name = schema.name { schemas[name] = schema }
        }
        let needed = [Self.messageSchema, FineractEventPayload.bulk([]).schemaName]
            + [FineractEventPayload.loanSchemaName, FineractEventPayload.transactionSchemaName, FineractEventPayload.adjustmentSchemaName]
        for name in needed where schemas[name] == nil { throw .missingSchema(name, release: release) }
        self.release = release
        self.schemas = schemas
    }

    /// The release's writer schema of a record, by fullname.
    public func schema(named name: String) -> AvroParsedSchema? { schemas[name] }

    /// A whole message: `MessageV1` around the payload, as single-object bytes (what the JMS
    /// BytesMessage holds). `dataschema` is the payload's schema name.
    public func message(_ envelope: FineractEventEnvelope, _ payload: FineractEventPayload) throws(FineractMessageError) -> [UInt8] {
        let schema = try self.schema(Self.messageSchema)
        var message = try FineractRecordDraft(Self.messageSchema, in: schema)
        message.set("id", envelope.id)
        message.set("source", envelope.source)
        message.set("type", envelope.type)
        message.set("category", envelope.category)
        message.set("createdAt", envelope.createdAt)
        message.set("businessDate", envelope.businessDate)
        message.set("tenantId", envelope.tenantId)
        message.set("idempotencyKey", envelope.idempotencyKey)
        message.set("dataschema", payload.schemaName)
        message.set("data", AvroValue.bytes(try data(payload)))
        return try encode(try message.value(), schema)
    }

    /// The payload alone, as single-object bytes (`MessageV1.data`).
    public func data(_ payload: FineractEventPayload) throws(FineractMessageError) -> [UInt8] {
        let schema = try self.schema(payload.schemaName)
        return try encode(try value(payload, in: schema), schema)
    }

    /// The payload as a value of its schema (before encoding).
    func value(_ payload: FineractEventPayload, in schema: AvroParsedSchema) throws(FineractMessageError) -> AvroValue {
        switch payload {
        case .loan(let loan):
            return try loanValue(loan, in: schema)
        case .transaction(let transaction):
            return try transactionValue(transaction, in: schema)
        case .adjustment(let old, let new):
            var adjustment = try FineractRecordDraft(FineractEventPayload.adjustmentSchemaName, in: schema)
            adjustment.set("transactionToAdjust", try transactionValue(old, in: schema))
            adjustment.set("newTransactionDetail", try new.map { (transaction) throws(FineractMessageError) in
                try transactionValue(transaction, in: schema)
            })
            return try adjustment.value()
        case .bulk(let items):
            var datas: [AvroValue] = []
            for (position, item) in items.enumerated() {
                var draft = try FineractRecordDraft(Self.bulkItemSchema, in: schema)
                draft.set("id", Int32(position + 1))
                draft.set("type", item.type)
                draft.set("category", "nocategory")
                draft.set("dataschema", item.payload.schemaName)
                draft.set("data", AvroValue.bytes(try data(item.payload)))
                datas.append(try draft.value())
            }
            var bulk = try FineractRecordDraft(payload.schemaName, in: schema)
            bulk.set("datas", AvroValue.array(datas))
            return try bulk.value()
        }
    }

    private func schema(_ name: String) throws(FineractMessageError) -> AvroParsedSchema {
        guard let schema = schemas[name] else { throw .missingSchema(name, release: release) }
        return schema
    }

    private func encode(_ value: AvroValue, _ schema: AvroParsedSchema) throws(FineractMessageError) -> [UInt8] {
        do throws(AvroEncodingError) {
            return try encoder.encodeSingleObject(value, as: schema)
        } catch {
            throw .encoding(error)
        }
    }
}

extension FineractEventPayload {
    static let loanSchemaName = "org.apache.fineract.avro.loan.v1.LoanAccountDataV1"
    static let transactionSchemaName = "org.apache.fineract.avro.loan.v1.LoanTransactionDataV1"
    static let adjustmentSchemaName = "org.apache.fineract.avro.loan.v1.LoanTransactionAdjustmentDataV1"
}
