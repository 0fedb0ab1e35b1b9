import AnalyticsCore
import AnalyticsStore
import Hummingbird
import NIOCore

/// `GET /api/v1/metrics/officers` and `GET /api/v1/metrics/officers/{officer_id}`.
struct OfficersController: Sendable {
    let repository: any MetricsRepository
    let cache: any MetricsCache
    let audit: AuditDirectory
    /// Finished list bodies per cache version, each checked against its officers' audit stamp.
    let rendered: RenderedResponseCache
    /// Counts the finished-body hits as local cache hits.
    let metrics: APIMetrics

    static let listParameters: Set<String> = [
        "region", "branch", "officer_id", "date", "start_date", "end_date", "risk_band", "sort", "fields", "page", "per_page",
    ]

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("metrics/officers", use: list)
        group.get("metrics/officers/{officer_id}", use: detail)
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let identity = try context.require(.viewer)
        let query = try QueryParameters(request, allowed: Self.listParameters)
        let date = try query.date("date")
        let range = try ReadOptions.range(query)
        if date != nil, range != nil { throw APIError.badParameter("date", "cannot be combined with start_date/end_date") }
        let (fields, auditNames) = try ReadOptions.fields(query.list("fields"), catalog: OfficerFields.all,
                                                          extras: OfficerFields.auditFields.map(\.rawValue))
        let auditFields = auditNames.compactMap(AuditInfo.Field.init(rawValue:))
        let listQuery = OfficerListQuery(
            dates: [], region: try query.string("region"), branch: try query.string("branch"),
            officerID: try query.string("officer_id"), riskBand: try query.choice("risk_band", ["Green", "Watch", "Amber", "Red"]),
            scope: identity.scope, sort: try ReadOptions.sort(query.string("sort"), sortable: OfficerFields.sortable),
            fields: fields, page: try query.integer("page", default: 1, 1...1_000_000),
            perPage: try query.integer("per_page", default: 50, 1...500))
        let cacheKey = identity.cacheKey(.officerList, parameters: query.pairs(),
                                         tags: CacheTag.filtered(officerID: listQuery.officerID, branch: listQuery.branch))
        var renderedKey: (key: CacheKey, version: KeyVersion)?
        if let version = cache.liveVersion(of: cacheKey) {
            if let hit = rendered.get(cacheKey, version: version), hit.audited.map({ audit.cache.stamp($0.ids) == $0.stamp }) ?? true {
                metrics.recordCache(family: .officerList, outcome: .localHit)
                return ResponseBuilder.json(hit.body, etag: hit.etag, for: request)
            }
            renderedKey = (cacheKey, version)
        }
        let repository = self.repository
        let cache = self.cache
        let bytes = try await cache.value(cacheKey) {
            // The page is cut from the officer snapshot of the `book` version read now, after the
            // entry's own version: it holds every write that version stands for (OfficerSnapshots).
            var query = listQuery
            query.snapshotVersion = await cache.currentVersion(of: [.book])
            let versioned = query
            return try await repository.consistent {
                try await Self.loadPage(versioned, date: date, range: range, repository: repository).encoded()
            }
        }
        guard let page = CachedPage(decoding: bytes) else { throw APIError(.internalError, "a cached page could not be read") }
        var audited: RenderedResponseCache.AuditedRows?
        var audits: [String: AuditInfo] = [:]
        if !auditFields.isEmpty {
            let ids = page.rows.map(\.id)
            let stamped = try await audit.stamped(ids)
            audits = stamped.info
            // Without a stamp (the subscription is down) the body cannot be checked later: not kept.
            if let stamp = stamped.stamp { audited = .init(ids: ids, stamp: stamp) } else { renderedKey = nil }
        }
        var writer = JSONWriter(capacity: bytes.count + page.rows.count * 96 + 64)
        writer.rows(page.rows) { row, writer in
            (audits[row.id] ?? .none).write(auditFields, first: fields.isEmpty, into: &writer)
        }
        let body = ResponseBuilder.envelope(data: writer.bytes, meta: page.meta)
        let entry = RenderedResponseCache.Entry(body: ByteBuffer(bytes: body), etag: ResponseBuilder.etag(of: body), audited: audited)
        if let renderedKey { rendered.set(renderedKey.key, version: renderedKey.version, entry) }
        return ResponseBuilder.json(entry.body, etag: entry.etag, for: request)
    }

    static func loadPage(_ base: OfficerListQuery, date: CalendarDate?, range: ClosedRange<CalendarDate>?,
                         repository: any MetricsRepository) async throws -> CachedPage {
        var query = base
        var meta = JSONWriter(capacity: 256)
        meta.raw("{")
        let served: [Freshness]
        if let range {
            served = try await repository.completeDates(from: range.lowerBound, to: range.upperBound)
        } else if let date {
            guard let freshness = try await repository.completeDate(date) else {
                throw APIError(.notFound, "no complete officer metrics for \(date)")
            }
            served = [freshness]
        } else {
            served = try await repository.latestCompleteDate().map { [$0] } ?? []
        }
        query.dates = served.map(\.date)
        let page = served.isEmpty ? RenderedPage(rows: [], total: 0) : try await repository.officers(query)
        ReadOptions.pagination(total: page.total, page: query.page, perPage: query.perPage, into: &meta)
        ReadOptions.freshness(served.first, into: &meta)
        if let range {
            meta.raw(",\"start_date\":\"\(range.lowerBound)\",\"end_date\":\"\(range.upperBound)\",\"calculation_dates\":[")
            meta.raw(served.map { "\"\($0.date)\"" }.joined(separator: ","))
            meta.raw("]")
        }
        meta.raw("}")
        return CachedPage(meta: meta.bytes, rows: page.rows)
    }
}
