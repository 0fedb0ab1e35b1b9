import AnalyticsCore
import AnalyticsStore
import Hummingbird

extension OfficersController {
    /// The officer detail (design 5.1): header, `metrics.current`/`previous`/`trend` (METRICS.md
    /// section 7) and `audit_info` joined at read time from the primary.
    @Sendable func detail(_ request: Request, context: APIRequestContext) async throws -> Response {
        let identity = try context.require(.viewer)
        let officerID = try context.parameters.require("officer_id")
        let query = try QueryParameters(request, allowed: ["date"])
        let date = try query.date("date")
        let repository = self.repository
        let scope = identity.scope
        let masks = identity.masksPII
        let key = identity.cacheKey(.officerMetrics, resource: [officerID], parameters: query.pairs(), tags: [.officer(officerID)])
        let bytes = try await cache.value(key) {
            try await repository.consistent {
                let freshness: Freshness
                if let date {
                    guard let found = try await repository.completeDate(date) else {
                        throw APIError(.notFound, "no complete officer metrics for \(date)")
                    }
                    freshness = found
                } else {
                    guard let latest = try await repository.latestCompleteDate() else {
                        throw APIError(.notFound, "no officer metrics have been calculated yet")
                    }
                    freshness = latest
                }
                guard let detail = try await repository.officerDetail(id: officerID, date: freshness.date, scope: scope, maskPhones: masks) else {
                    throw APIError(.notFound, "no officer '\(officerID)' with metrics on \(freshness.date)")
                }
                var data = JSONWriter(capacity: 4096)
                data.raw(bytes: detail.header)
                data.raw(",\"metrics\":{\"current\":")
                data.raw(bytes: detail.current)
                data.raw(",\"previous\":")
                if let previous = detail.previous { data.raw(bytes: previous) } else { data.raw("null") }
                data.raw(",\"trend\":")
                data.string(Trend(currentRiskScore: detail.currentRiskScore, previousRiskScore: detail.previousRiskScore).rawValue)
                data.raw("}")
                var meta = JSONWriter(capacity: 128)
                meta.raw("{\"officer_id\":")
                meta.string(officerID)
                ReadOptions.freshness(freshness, into: &meta)
                meta.raw("}")
                return CachedPage(meta: meta.bytes, rows: [RenderedRow(id: officerID, fragment: data.bytes)]).encoded()
            }
        }
        guard let page = CachedPage(decoding: bytes), let row = page.rows.first else {
            throw APIError(.internalError, "a cached officer could not be read")
        }
        let info = try await audit.info(for: [officerID])[officerID] ?? .none
        var writer = JSONWriter(capacity: row.fragment.count + 256)
        writer.raw(bytes: row.fragment)
        writer.raw(",\"audit_info\":")
        writer.raw(bytes: info.object(AuditInfo.detailFields))
        writer.raw("}")
        return ResponseBuilder.json(ResponseBuilder.envelope(data: writer.bytes, meta: page.meta), for: request)
    }
}
