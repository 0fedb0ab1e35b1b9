import AnalyticsCore
import AnalyticsStore
import Hummingbird
import NIOCore

/// `GET /api/v1/loans/fimr-drilldown` and `GET /api/v1/loans/early-indicators-drilldown`:
/// page/per_page with totals, or cursor+limit (keyset on `loan_id`) for deep pages.
struct LoansController: Sendable {
    let repository: any MetricsRepository
    let cursors: CursorCodec
    /// Supplies the live versions: the loan states' date is remembered until they move.
    let cache: any MetricsCache
    let statesMemo = VersionMemo<Freshness?>()
    /// Finished page bodies at the live version of their tags (loans change only when a metric job
    /// commits, which moves the generation, or the daemon invalidates their officers, branches and
    /// the book; audit writes do not touch them).
    let rendered: RenderedResponseCache
    let metrics: APIMetrics

    static let commonParameters: Set<String> = [
        "region", "branch", "officer_id", "start_date", "end_date", "fimr_tagged", "page", "per_page", "cursor", "limit", "fields",
    ]

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("loans/fimr-drilldown") { request, context in
            try await drilldown(.fimr, request, context)
        }
        group.get("loans/early-indicators-drilldown") { request, context in
            try await drilldown(.earlyIndicators, request, context)
        }
    }

    func drilldown(_ kind: DrilldownKind, _ request: Request, _ context: APIRequestContext) async throws -> Response {
        let identity = try context.require(.viewer)
        let allowed = kind == .fimr ? Self.commonParameters : Self.commonParameters.union(["early_indicator_tagged"])
        let query = try QueryParameters(request, allowed: allowed)
        let (fields, _) = try ReadOptions.fields(query.list("fields"), catalog: LoanFields.all)
        let disbursed = try ReadOptions.range(query)
        let cursorText = try query.string("cursor", maxLength: 2000)
        let limitText = try query.string("limit")
        let keyset = cursorText != nil || limitText != nil
        let pageText = try query.string("page")
        let perPageText = try query.string("per_page")
        if keyset, pageText != nil || perPageText != nil {
            throw APIError.badParameter(cursorText != nil ? "cursor" : "limit",
                                        "cannot be combined with page/per_page (use cursor and limit, or page and per_page)")
        }
        var drill = DrilldownQuery(
            kind: kind, region: try query.string("region"), branch: try query.string("branch"),
            officerID: try query.string("officer_id"), disbursedFrom: disbursed?.lowerBound, disbursedTo: disbursed?.upperBound,
            fimrTagged: try query.bool("fimr_tagged"),
            earlyIndicatorTagged: kind == .earlyIndicators ? try query.bool("early_indicator_tagged") : nil,
            scope: identity.scope, fields: fields, maskPhones: identity.masksPII, limit: 50, offset: nil, afterLoanID: nil)
        // The role decides masking, and it is part of every key.
        let key = identity.cacheKey(.loanDrilldown, resource: [kind.rawValue], parameters: query.pairs(),
                                    tags: CacheTag.filtered(officerID: drill.officerID, branch: drill.branch))
        // One reading of the version for the whole request: the states read and the body stored
        // under it belong to the same version (a body of older states never lands under a newer one).
        let liveVersion = cache.liveVersion(of: key)
        var renderedKey: (key: CacheKey, version: KeyVersion)?
        if let version = liveVersion {
            if let hit = rendered.get(key, version: version) {
                metrics.recordCache(family: .loanDrilldown, outcome: .localHit)
                return ResponseBuilder.json(hit.body, etag: hit.etag, for: request)
            }
            renderedKey = (key, version)
        }
        // Computed from PostgreSQL: a miss, whether or not the page may be kept afterwards.
        metrics.recordCache(family: .loanDrilldown, outcome: .miss)
        let states: Freshness?
        if let version = liveVersion, let remembered = statesMemo.value(tags: key.tags, version: version) {
            states = remembered
        } else {
            states = try await repository.loanStatesFreshness()
            if let version = liveVersion { statesMemo.store(states, tags: key.tags, version: version) }
        }
        let asOf = states?.date
        var meta = JSONWriter(capacity: 256)
        meta.raw("{")
        if keyset {
            drill.limit = try query.integer("limit", default: 50, 1...500)
            // The filters and the caller, not the position: a cursor only continues its own query.
            // No tags: the hash names the query, not a cache entry.
            let filterHash = identity.cacheKey(.loanDrilldown, resource: [kind.rawValue],
                                               parameters: query.pairs(excluding: ["cursor", "limit"]), tags: []).hash64
            if let cursorText {
                let cursor = try cursors.decode(cursorText)
                guard cursor.filterHash == filterHash else {
                    throw APIError.badParameter("cursor", "belongs to a different query (filters or scope changed)")
                }
                guard cursor.asOf == asOf else {
                    throw APIError(.conflict, "the loans were recalculated since this cursor was issued (it started on \(cursor.asOf)); start again from the first page",
                                   details: [ErrorDetail(field: "cursor", issue: "stale")])
                }
                drill.afterLoanID = cursor.afterLoanID
            }
            var page = asOf == nil ? RenderedPage(rows: [], total: -1) : try await repository.drilldown(drill)
            let hasMore = page.rows.count > drill.limit
            if hasMore { page.rows.removeLast() }
            meta.raw("\"limit\":\(drill.limit),\"has_more\":\(hasMore),\"next_cursor\":")
            if hasMore, let last = page.rows.last, let asOf {
                meta.string(cursors.encode(DrilldownCursor(asOf: asOf, filterHash: filterHash, afterLoanID: last.id)))
            } else {
                meta.raw("null")
            }
            return respond(page, meta: &meta, states: states, request: request, cacheKey: renderedKey)
        }
        let pageNumber = try query.integer("page", default: 1, 1...1_000_000)
        drill.limit = try query.integer("per_page", default: 50, 1...500)
        drill.offset = (pageNumber - 1) * drill.limit
        let page = asOf == nil ? RenderedPage(rows: [], total: 0) : try await repository.drilldown(drill)
        ReadOptions.pagination(total: page.total, page: pageNumber, perPage: drill.limit, into: &meta)
        return respond(page, meta: &meta, states: states, request: request, cacheKey: renderedKey)
    }

    /// The page with `meta` closed by the loan states' date and when they were written (as the
    /// lists give theirs), kept at the live version under `cacheKey`.
    private func respond(_ page: RenderedPage, meta: inout JSONWriter, states: Freshness?, request: Request,
                         cacheKey: (key: CacheKey, version: KeyVersion)?) -> Response {
        ReadOptions.freshness(states, into: &meta)
        meta.raw("}")
        var writer = JSONWriter(capacity: page.rows.reduce(16) { $0 + $1.fragment.count + 2 })
        writer.rows(page.rows)
        let body = ResponseBuilder.envelope(data: writer.bytes, meta: meta.bytes)
        let entry = RenderedResponseCache.Entry(body: ByteBuffer(bytes: body), etag: ResponseBuilder.etag(of: body))
        if let cacheKey { rendered.set(cacheKey.key, version: cacheKey.version, entry) }
        return ResponseBuilder.json(entry.body, etag: entry.etag, for: request)
    }
}
