import AnalyticsCore
import AnalyticsStore
import Hummingbird

/// `GET /api/v1/metrics/branches` and `GET /api/v1/filters/options`.
struct BranchesController: Sendable {
    let repository: any MetricsRepository
    let cache: any MetricsCache

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("metrics/branches", use: branches)
        group.get("filters/options", use: filterOptions)
    }

    @Sendable func branches(_ request: Request, context: APIRequestContext) async throws -> Response {
        let identity = try context.require(.viewer)
        let query = try QueryParameters(request, allowed: ["region", "branch", "date", "sort", "fields"])
        let date = try query.date("date")
        let (fields, _) = try ReadOptions.fields(query.list("fields"), catalog: BranchFields.all)
        let baseQuery = BranchQuery(date: CalendarDate(daysSinceEpoch: 0), region: try query.string("region"),
                                      branch: try query.string("branch"), scope: identity.scope,
                                      sort: try ReadOptions.sort(query.string("sort"), sortable: BranchFields.sortable), fields: fields)
        let repository = self.repository
        // Every read of branch rows carries `book`, filtered or not (CacheTag+Reads.swift).
        let bytes = try await cache.value(identity.cacheKey(.branchMetrics, parameters: query.pairs(), tags: [.book])) {
            try await repository.consistent {
                let freshness: Freshness?
                if let date {
                    guard let found = try await repository.completeDate(date) else {
                        throw APIError(.notFound, "no complete metrics for \(date)")
                    }
                    freshness = found
                } else {
                    freshness = try await repository.latestCompleteDate()
                }
                var page = RenderedPage(rows: [], total: 0)
                var branchQuery = baseQuery
                if let freshness {
                    branchQuery.date = freshness.date
                    page = try await repository.branches(branchQuery)
                }
                var meta = JSONWriter(capacity: 128)
                meta.raw("{\"total\":\(page.total)")
                ReadOptions.freshness(freshness, into: &meta)
                meta.raw("}")
                return CachedPage(meta: meta.bytes, rows: page.rows).encoded()
            }
        }
        guard let page = CachedPage(decoding: bytes) else { throw APIError(.internalError, "a cached page could not be read") }
        var writer = JSONWriter(capacity: bytes.count + 16)
        writer.rows(page.rows)
        return ResponseBuilder.json(ResponseBuilder.envelope(data: writer.bytes, meta: page.meta), for: request)
    }

    @Sendable func filterOptions(_ request: Request, context: APIRequestContext) async throws -> Response {
        let identity = try context.require(.viewer)
        _ = try QueryParameters(request, allowed: [])
        let repository = self.repository
        let scope = identity.scope
        let data = try await cache.value(identity.cacheKey(.filterOptions, tags: [.book])) {
            try await repository.filterOptions(scope: scope)
        }
        return ResponseBuilder.json(ResponseBuilder.envelope(data: data), for: request)
    }
}
