import AnalyticsCore
@testable import FineractEvents
import Foundation
import Testing

/// The consumer's reader over messages encoded by the Python `avro` package
/// (Fixtures/avro-fixtures.json, scripts/avro/generate-fixtures.py): envelope, bulk items in order,
/// payloads into the pull's input types; unreadable bytes become failures to park.
@Suite("Fineract events: reader")
struct FineractEventReaderTests {
    static func fixture(_ name: String) throws -> [(release: String, bytes: [UInt8])] {
        let cases = try #require(try AvroFixtures.generated()["singleObject"]?.arrayValue)
        return cases.compactMap { $0.objectValue }.filter { $0["name"]?.stringValue == name }.map {
            ($0["release"]?.stringValue ?? "?", AvroFixtures.bytes(hex: $0["hex"]?.stringValue ?? ""))
        }
    }

    @Test("a bulk message (every release carried): its items in order, a replay read as an adjustment with its REPLAYED relation")
    func bulk() throws {
        let reader = try FineractEventReader.fineract()
        let messages = try Self.fixture("message with a bulk payload")
        #expect(messages.count == FineractSchemaSets.releases.count)
        for (release, bytes) in messages {
            let message = try reader.read(bytes)
            // The generator's envelope (scripts/avro/generate-fixtures.py).
            #expect(message.id == 78, "\(release)")
            #expect(message.type == "BulkBusinessEvent")
            #expect(message.idempotencyKey == "5b0c3f2e-7d3a-4c5e-9a59-0c6f5e1c2b11")
            #expect(message.businessDate == "2024-03-01")
            #expect(message.events.count == 3)
            guard case .success(let first) = message.events[0], case .transaction(let loanID, let transaction, let replays) = first.content else {
                Issue.record("item 0 must be a transaction (\(release))")
                continue
            }
            #expect(first.type == "LoanTransactionMakeRepaymentPostBusinessEvent")
            #expect(loanID == 42)
            #expect(transaction.id == 9001)
            #expect(transaction.type == 2)
            #expect(transaction.transactionDate == "2024-03-01")
            #expect(FineractMoney.cents(transaction.amount) == 150_000)
            #expect(transaction.principalPortion.flatMap(FineractMoney.cents) == 125_000)
            #expect(transaction.interestPortion.flatMap(FineractMoney.cents) == 25_000)
            #expect(transaction.isReversed == false)
            #expect(replays == [8001])
            guard case .success(let second) = message.events[1],
                  case .adjustment(_, let old, _, let new, let newReplays) = second.content else {
                Issue.record("item 1 must be an adjustment (\(release))")
                continue
            }
            #expect(old.id == 8001)
            #expect(old.isReversed)
            #expect(old.manuallyAdjustedOrReversed)
            #expect(new?.id == 9002)
            #expect(newReplays == [8001])
            guard case .success(let third) = message.events[2] else {
                Issue.record("item 2 must read (\(release))")
                continue
            }
            #expect(third.type == "LoanBalanceChangedBusinessEvent")
            #expect(third.dataschema == FineractEventSchemas.loanAccount)
        }
    }

    @Test("a truncated message and one with an unknown fingerprint are failures carrying the bytes and the reason")
    func unreadable() throws {
        let reader = try FineractEventReader.fineract()
        let (_, bytes) = try #require(try Self.fixture("message with a loan transaction").first)
        let truncated = Array(bytes.prefix(bytes.count - 7))
        #expect(throws: FineractEventFailure.self) { try reader.read(truncated) }
        do {
            _ = try reader.read(truncated)
        } catch {
            #expect(error.bytes == truncated)
            #expect(error.fingerprint == nil)
            #expect(error.reason.contains("undecodable"))
        }
        var unknown = bytes
        unknown[2] ^= 0xFF
        do {
            _ = try reader.read(unknown)
            Issue.record("an unknown fingerprint must not decode")
        } catch {
            #expect(error.fingerprint != nil)
            #expect(error.reason.contains("unknown writer schema fingerprint"))
            #expect(error.bytes == unknown)
        }
    }

    @Test("a loan payload: the disbursement period (no period number) is not an installment; a group loan is left to the pull")
    func loanPayload() throws {
        func period(_ number: Int32?, _ due: String, principal: String) -> AvroValue {
            var fields: [AvroRecord.Field] = [.init(name: "period", value: number.map { .int($0) } ?? .null),
                                              .init(name: "dueDate", value: .string(due))]
            if let decimal = AvroDecimal(twosComplement: Self.unscaled(principal), scale: 8) {
                fields.append(.init(name: "principalDue", value: .decimal(decimal)))
            }
            return .record(AvroRecord(name: "LoanSchedulePeriodDataV1", fields: fields))
        }
        func loan(client: Int64?) -> AvroRecord {
            AvroRecord(name: "LoanAccountDataV1", fields: [
                .init(name: "id", value: .long(100)),
                .init(name: "status", value: .record(AvroRecord(name: "LoanStatusEnumDataV1", fields: [.init(name: "id", value: .int(300))]))),
                .init(name: "clientId", value: client.map { .long($0) } ?? .null),
                .init(name: "principal", value: AvroDecimal(twosComplement: Self.unscaled("10000"), scale: 8).map { .decimal($0) } ?? .null),
                .init(name: "timeline", value: .record(AvroRecord(name: "LoanApplicationTimelineDataV1", fields: [
                    .init(name: "actualDisbursementDate", value: .string("2024-01-01")),
                    .init(name: "expectedMaturityDate", value: .string("2024-02-29"))]))),
                .init(name: "repaymentSchedule", value: .record(AvroRecord(name: "LoanScheduleDataV1", fields: [
                    .init(name: "periods", value: .array([period(nil, "2024-01-01", principal: "0"),
                                                          period(1, "2024-01-31", principal: "5000"),
                                                          period(2, "2024-02-29", principal: "5000")]))]))),
            ])
        }
        guard case .loan(let row, let schedule) = try FineractEventReader.loan(loan(client: 7), type: "LoanDisbursalBusinessEvent", bytes: []) else {
            Issue.record("a client loan must be read")
            return
        }
        #expect(row.id == 100)
        #expect(row.loanStatusID == 300)
        #expect(row.disbursedOnDate == "2024-01-01")
        #expect(schedule.map(\.installment) == [1, 2])
        #expect(schedule.map(\.dueDate) == ["2024-01-31", "2024-02-29"])
        #expect(schedule.compactMap { $0.principalAmount.flatMap(FineractMoney.cents) } == [500_000, 500_000])
        #expect(try FineractEventReader.loan(loan(client: nil), type: "LoanDisbursalBusinessEvent", bytes: [])
                == .ignored(reason: "group loan (left to the pull)"))
    }

    /// The big-endian two's-complement bytes of `whole` × 10^8 (scale 8).
    static func unscaled(_ whole: String) -> [UInt8] {
        var value = (Int64(whole) ?? 0) * 100_000_000
        var bytes: [UInt8] = []
        repeat {
            bytes.insert(UInt8(truncatingIfNeeded: value), at: 0)
            value >>= 8
        } while value != 0
        if (bytes.first ?? 0) & 0x80 != 0 { bytes.insert(0, at: 0) }
        return bytes
    }
}
