@testable import AnalyticsAPI
import AnalyticsCore
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Small valid records for the ingest tests, as JSON text (each names its `type`).
enum IngestRecords {
    static func officer(_ id: String, region: String = "North", branch: String = "Kano", name: String = "Ada Obi") -> String {
        #"{"type":"officer","officer_id":"\#(id)","officer_name":"\#(name)","region":"\#(region)","branch":"\#(branch)"}"#
    }

    static func customer(_ id: String, name: String = "Bola Ade") -> String {
        #"{"type":"customer","customer_id":"\#(id)","customer_name":"\#(name)"}"#
    }

    static func loan(_ id: String, officer: String, region: String = "North", branch: String = "Kano", customer: String = "C1",
                     amount: String = "1000.00", status: String = "Active") -> String {
        #"{"type":"loan","loan_id":"\#(id)","customer_id":"\#(customer)","customer_name":"Bola Ade","officer_id":"\#(officer)","#
            + #""officer_name":"Ada Obi","region":"\#(region)","branch":"\#(branch)","loan_amount":\#(amount),"#
            + #""disbursement_date":"2024-10-01","maturity_date":"2024-10-31","loan_term_days":30,"channel":"Direct","status":"\#(status)"}"#
    }

    static func repayment(_ id: String, loan: String, amount: String = "100.00", date: String = "2024-10-10") -> String {
        #"{"type":"repayment","repayment_id":"\#(id)","loan_id":"\#(loan)","payment_date":"\#(date)","payment_amount":\#(amount),"#
            + #""principal_paid":\#(amount)}"#
    }

    static func teamMember(_ id: String) -> String {
        #"{"type":"team_member","member_id":"\#(id)","member_name":"Auditor \#(id)"}"#
    }

    /// Records as NDJSON (one per line, LF).
    static func ndjson(_ records: [String]) -> String { records.joined(separator: "\n") + "\n" }
}

/// Calls of the ingest endpoints through a test client.
enum IngestCalls {
    /// `POST /api/v1/ingest` with `body` as `contentType`, plus `headers` (the token).
    static func post(_ client: some TestClientProtocol, _ body: String, type contentType: String = "application/x-ndjson",
                     headers: HTTPFields, key: String? = nil) async throws -> TestResponse {
        var fields = headers
        fields[.contentType] = contentType
        if let key { fields[.idempotencyKey] = key }
        return try await client.execute(uri: "/api/v1/ingest", method: .post, headers: fields, body: ByteBuffer(string: body))
    }

    /// A successful POST's `data`; fails the test on any other status.
    static func load(_ client: some TestClientProtocol, _ body: String, type contentType: String = "application/x-ndjson",
                     headers: HTTPFields, sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONObject {
        let response = try await post(client, body, type: contentType, headers: headers)
        #expect(response.status == .ok, "\(String(buffer: response.body))", sourceLocation: sourceLocation)
        return try Body.data(response)
    }

    /// `GET /api/v1/ingest/batches/{batch_id}/rejects`.
    static func rejects(_ client: some TestClientProtocol, batch: String, query: String = "", headers: HTTPFields) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/ingest/batches/\(batch)/rejects\(query)", method: .get, headers: headers)
    }

    /// A count of `inserted`, `updated` or `unchanged` in a POST's `data`.
    static func count(_ data: JSONObject, _ group: String, _ kind: String) -> Int? {
        data[group]?.objectValue?[kind]?.numberText.flatMap { Int($0) }
    }

    /// A number of a POST's `data` (`accepted`, `rejected`, ...).
    static func number(_ data: JSONObject, _ key: String) -> Int? {
        data[key]?.numberText.flatMap { Int($0) }
    }
}
