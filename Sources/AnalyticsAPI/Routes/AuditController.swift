import AnalyticsStore
import Foundation
import Hummingbird

/// The audit endpoints (design 5.4 and API.md "Writes"): team members, assignee, status, actions,
/// history. Writes need the auditor or admin role and run on the primary.
struct AuditController: Sendable {
    let repository: any AuditRepository
    let audit: AuditDirectory

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("audit/team-members", use: teamMembers)
        group.get("audit/officers/{officer_id}/history", use: history)
        group.put("audit/officers/{officer_id}/assignee", use: assignee)
        group.put("audit/officers/{officer_id}/status", use: status)
        group.post("audit/officers/{officer_id}/actions", use: actions)
    }

    @Sendable func teamMembers(_ request: Request, context: APIRequestContext) async throws -> Response {
        _ = try context.require(.viewer)
        let query = try QueryParameters(request, allowed: ["is_active"])
        let data = try await repository.teamMembers(activeOnly: try query.bool("is_active"))
        return ResponseBuilder.json(ResponseBuilder.envelope(data: data), for: request)
    }

    @Sendable func history(_ request: Request, context: APIRequestContext) async throws -> Response {
        let identity = try context.require(.auditor)
        let officerID = try context.parameters.require("officer_id")
        let query = try QueryParameters(request, allowed: ["page", "per_page"])
        let page = try query.integer("page", default: 1, 1...1_000_000)
        let perPage = try query.integer("per_page", default: 50, 1...500)
        guard try await repository.officerVisible(id: officerID, scope: identity.scope) else {
            throw APIError(.notFound, "no officer '\(officerID)'")
        }
        let result = try await repository.history(officerID: officerID, page: page, perPage: perPage)
        var data = JSONWriter(capacity: 4096)
        data.rows(result.rows)
        var meta = JSONWriter(capacity: 128)
        meta.raw("{")
        ReadOptions.pagination(total: result.total, page: page, perPage: perPage, into: &meta)
        meta.raw("}")
        return ResponseBuilder.json(ResponseBuilder.envelope(data: data.bytes, meta: meta.bytes), for: request)
    }

    @Sendable func assignee(_ request: Request, context: APIRequestContext) async throws -> Response {
        let write = try writeContext(request, context)
        let body = try await RequestBodyReader.decode(AssigneeBody.self, from: request)
        guard !body.assigneeID.isEmpty, body.assigneeID.count <= 50 else { throw APIError.badField("assignee_id", "must be 1-50 characters") }
        let result = try await repository.assign(memberID: body.assigneeID, memberName: body.assigneeName, write)
        return await finish(result, message: "Assignee updated successfully", write, request)
    }

    @Sendable func status(_ request: Request, context: APIRequestContext) async throws -> Response {
        let write = try writeContext(request, context)
        let body = try await RequestBodyReader.decode(StatusBody.self, from: request)
        guard let status = AuditStatus(rawValue: body.auditStatus) else {
            throw APIError.badField("audit_status", "must be one of Assigned, In Progress, Resolved")
        }
        if let notes = body.auditNotes, notes.count > 2000 { throw APIError.badField("audit_notes", "must be at most 2000 characters") }
        let result = try await repository.changeStatus(status, notes: body.auditNotes, write)
        return await finish(result, message: "Audit status updated successfully", write, request)
    }

    @Sendable func actions(_ request: Request, context: APIRequestContext) async throws -> Response {
        let write = try writeContext(request, context)
        let body = try await RequestBodyReader.decode(ActionBody.self, from: request)
        guard (1...100).contains(body.actionType.count) else { throw APIError.badField("action_type", "must be 1-100 characters") }
        if let notes = body.actionNotes, notes.count > 2000 { throw APIError.badField("action_notes", "must be at most 2000 characters") }
        let key = try IdempotencyKey.read(request.headers)
        let hash = Self.requestHash(body, scope: write.scope)
        let result = try await repository.recordAction(type: body.actionType, notes: body.actionNotes,
                                                       idempotencyKey: key, requestHash: hash, write)
        return await finish(result, message: "Action recorded successfully", write, request)
    }

    /// What makes two `POST .../actions` requests "the same" for an `Idempotency-Key`: the body and
    /// the token's scope. The stored response lists loans inside the first caller's scope, so a
    /// retry under another scope (same `sub`, other token) is a different request (422), never a
    /// replay of loans it may not see.
    static func requestHash(_ body: ActionBody, scope: AccessScope) -> String {
        var encoding = CanonicalDigest()
        encoding.string("T", body.actionType)
        encoding.list("N", body.actionNotes.map { [$0] })
        encoding.list("R", scope.regions?.sorted())
        encoding.list("B", scope.branches?.sorted())
        return CanonicalDigest.hex(encoding.digest)
    }

    private func writeContext(_ request: Request, _ context: APIRequestContext) throws -> AuditWriteContext {
        let identity = try context.require(.auditor)
        let officerID = try context.parameters.require("officer_id")
        _ = try QueryParameters(request, allowed: [])
        return AuditWriteContext(officerID: officerID, actor: identity.subject, requestID: context.requestID,
                                 scope: identity.scope, maskPhones: identity.masksPII,
                                 expectedVersion: try Self.ifMatch(request.headers[.ifMatch]))
    }

    /// `If-Match: 3`, `"3"` or `W/"3"`; nil when absent.
    static func ifMatch(_ header: String?) throws(APIError) -> Int? {
        guard var text = header.map({ Substring($0).trimmingWhitespace() }) else { return nil }
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = text.dropFirst().dropLast() }
        guard let version = Int(text), version >= 0 else {
            throw APIError(.badRequest, "If-Match must be a version number such as 3 or \"3\"",
                           details: [ErrorDetail(field: "If-Match", issue: "not a version")])
        }
        return version
    }

    private func finish(_ result: AuditWriteResult, message: String, _ write: AuditWriteContext, _ request: Request) async -> Response {
        await audit.invalidate(officerID: write.officerID)
        return ResponseBuilder.json(ResponseBuilder.envelope(data: result.data, message: message), for: request,
                                    extraHeaders: [.eTag: "\"\(result.version)\""])
    }
}

/// `PUT .../assignee` body.
struct AssigneeBody: Decodable {
    var assigneeID: String
    var assigneeName: String?
    enum CodingKeys: String, CodingKey {
        case assigneeID = "assignee_id"
        case assigneeName = "assignee_name"
    }
}

/// `PUT .../status` body.
struct StatusBody: Decodable {
    var auditStatus: String
    var auditNotes: String?
    enum CodingKeys: String, CodingKey {
        case auditStatus = "audit_status"
        case auditNotes = "audit_notes"
    }
}

/// `POST .../actions` body.
struct ActionBody: Decodable {
    var actionType: String
    var actionNotes: String?
    enum CodingKeys: String, CodingKey {
        case actionType = "action_type"
        case actionNotes = "action_notes"
    }
}
