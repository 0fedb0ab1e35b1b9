import AnalyticsCore

/// Reads Fineract's messages: the `MessageV1` envelope (single-object encoded, writer schema by
/// fingerprint from ``AvroSchemaRegistry/fineract()``), its payload (a bulk's items in order) and
/// each payload into the input types of ``FineractMapping``. Pure: no broker or database.
public struct FineractEventReader: Sendable {
    /// The writer schemas accepted.
    public let registry: AvroSchemaRegistry

    /// A reader over `registry` (by default every Fineract release this build carries).
    public init(registry: AvroSchemaRegistry) {
        self.registry = registry
    }

    /// Reads one message. An envelope that cannot be decoded (unknown fingerprint, truncated, not
    /// a `MessageV1`) throws; an item that cannot be decoded is a failure among the events.
    public func read(_ bytes: [UInt8]) throws(FineractEventFailure) -> FineractEventMessage {
        let value = try decode(bytes, expecting: FineractEventSchemas.message, type: nil)
        guard let record = value.recordValue, let id = record["id"]?.integerValue,
              let type = record["type"]?.stringValue, let dataschema = record["dataschema"]?.stringValue,
              let key = record["idempotencyKey"]?.stringValue, let data = record["data"]?.bytesValue else {
            throw FineractEventFailure(reason: "the MessageV1 envelope lacks id, type, dataschema, idempotencyKey or data", bytes: bytes)
        }
        var message = FineractEventMessage(id: id, type: type, dataschema: dataschema, idempotencyKey: key,
                                           createdAt: record["createdAt"]?.stringValue ?? "",
                                           businessDate: record["businessDate"]?.stringValue ?? "",
                                           tenantID: record["tenantId"]?.stringValue ?? "", events: [])
        if dataschema == FineractEventSchemas.bulk {
            do throws(FineractEventFailure) {
                let payload = try decode(data, expecting: dataschema, type: type)
                for item in payload.recordValue?["datas"]?.arrayValue ?? [] {
                    guard let itemRecord = item.recordValue, let itemType = itemRecord["type"]?.stringValue,
                          let itemSchema = itemRecord["dataschema"]?.stringValue, let itemData = itemRecord["data"]?.bytesValue else {
                        message.events.append(.failure(FineractEventFailure(reason: "a bulk item lacks type, dataschema or data",
                                                                            bytes: data, type: type)))
                        continue
                    }
                    message.events.append(event(type: itemType, dataschema: itemSchema, data: itemData))
                }
            } catch {
                message.events.append(.failure(error))
            }
        } else {
            message.events.append(event(type: type, dataschema: dataschema, data: data))
        }
        return message
    }

    /// One event's payload read by its dataschema.
    func event(type: String, dataschema: String, data: [UInt8]) -> Result<FineractEvent, FineractEventFailure> {
        let wanted = [FineractEventSchemas.loanAccount, FineractEventSchemas.loanTransaction, FineractEventSchemas.loanTransactionAdjustment]
        guard wanted.contains(dataschema) else {
            return .success(FineractEvent(type: type, dataschema: dataschema,
                                          content: .ignored(reason: FineractEventSchemas.shortName(dataschema))))
        }
        if type.hasSuffix("PreBusinessEvent") {
            // Sent before the transaction is saved (no id yet); its Post event follows.
            return .success(FineractEvent(type: type, dataschema: dataschema, content: .ignored(reason: type)))
        }
        do throws(FineractEventFailure) {
            let value = try decode(data, expecting: dataschema, type: type)
            guard let record = value.recordValue else {
                throw FineractEventFailure(reason: "the \(FineractEventSchemas.shortName(dataschema)) payload is not a record", bytes: data, type: type)
            }
            let content: FineractEventContent
            switch dataschema {
            case FineractEventSchemas.loanAccount: content = try Self.loan(record, type: type, bytes: data)
            case FineractEventSchemas.loanTransaction: content = try Self.transaction(record, type: type, bytes: data)
            default: content = try Self.adjustment(record, type: type, bytes: data)
            }
            return .success(FineractEvent(type: type, dataschema: dataschema, content: content))
        } catch {
            return .failure(error)
        }
    }

    /// Decodes single-object bytes and checks that the writer schema is the one named.
    private func decode(_ bytes: [UInt8], expecting name: String, type: String?) throws(FineractEventFailure) -> AvroValue {
        let decoded: (entry: AvroSchemaRegistry.Entry, value: AvroValue)
        do throws(AvroDecodingError) {
            decoded = try registry.decodeSingleObject(bytes)
        } catch {
            if let fingerprint = error.unknownFingerprint {
                throw FineractEventFailure(
                    reason: "unknown writer schema fingerprint \(fingerprint) (a Fineract release this build does not carry: add its schema set, docs/fineract-events.md)",
                    fingerprint: "\(fingerprint)", bytes: bytes, type: type)
            }
            throw FineractEventFailure(reason: "undecodable Avro: \(error)", bytes: bytes, type: type)
        }
        guard decoded.entry.name == name else {
            throw FineractEventFailure(reason: "the payload's writer schema is \(decoded.entry.name ?? "unnamed"), its dataschema says \(name)",
                                       bytes: bytes, type: type)
        }
        return decoded.value
    }
}

extension FineractEventReader {
    /// A reader over every Fineract release this build carries.
    public static func fineract() throws -> FineractEventReader {
        FineractEventReader(registry: try AvroSchemaRegistry.fineract())
    }
}
