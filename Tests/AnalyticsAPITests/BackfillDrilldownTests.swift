@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// After a backfill (`full-refresh` of an earlier date), the drilldowns still show the loan states
/// of the latest date and say so in `meta` (issue 12, defect 3).
@Suite("Drilldowns after a backfill")
struct BackfillDrilldownTests {
    @Test("full-refresh --as-of an earlier date, then the drilldown: states and meta of the latest date, with calculated_at")
    func drilldownAfterBackfill() async throws {
        try await FixtureDatabase.create().using { db in
            try await FixtureDatabase.runWorker(["full-refresh", "--as-of", "2024-10-10"], database: db)
            try await FixtureDatabase.runWorker(["refresh-loans", "--changed-only", "--as-of", "2024-11-01"], database: db)
            let app = try await TestApp.make(database: db)
            let headers = try await app.headers("viewer")
            let expected = try Expected.loans("2024-11-01")
            try await app.application.test(.router) { client in
                try await client.execute(uri: "/api/v1/loans/fimr-drilldown?per_page=500", method: .get, headers: headers) { response in
                    #expect(response.status == .ok)
                    let meta = try Body.meta(response)
                    #expect(meta["calculation_date"] == .string("2024-11-01"))
                    #expect(meta["calculated_at"]?.stringValue?.hasSuffix("Z") == true)
                    let rows = try Body.rows(response)
                    #expect(rows.count == expected.members.count)
                    for row in rows {
                        let id = row["loan_id"]?.stringValue ?? ""
                        let loan = try #require(expected[id]?.objectValue, "unexpected loan \(id)")
                        for field in ["current_dpd", "dpd_bucket", "days_late"] {
                            #expect(Expected.same(row[field], loan[field]), "\(id) \(field)")
                        }
                    }
                }
            }
        }
    }
}
