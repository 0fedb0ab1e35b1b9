/// An officer's current audit row (`audit_tracking`); an officer without one is version 0.
struct AuditInfo: Sendable, Equatable {
    var assigneeID: String?
    var assigneeName: String?
    var auditStatus: String?
    var lastAuditDate: String?
    var auditNotes: String?
    var actionType: String?
    var actionDate: String?
    var version: Int

    /// The state of an officer without an audit row.
    static let none = AuditInfo(version: 0)

    /// `"Assigned to <name>"`, or nil.
    var assigneeLabel: String? { assigneeName.map { "Assigned to \($0)" } }

    init(assigneeID: String? = nil, assigneeName: String? = nil, auditStatus: String? = nil, lastAuditDate: String? = nil,
         auditNotes: String? = nil, actionType: String? = nil, actionDate: String? = nil, version: Int) {
        self.assigneeID = assigneeID
        self.assigneeName = assigneeName
        self.auditStatus = auditStatus
        self.lastAuditDate = lastAuditDate
        self.auditNotes = auditNotes
        self.actionType = actionType
        self.actionDate = actionDate
        self.version = version
    }
}

extension AuditInfo {
    /// The audit fields as JSON keys. Every rendering of audit fields (the officer list's columns,
    /// the detail's `audit_info`, the `audit_log` snapshots) goes through `write(_:into:)`.
    enum Field: String, Sendable, CaseIterable {
        /// `"Assigned to <name>"`, or null.
        case assignee
        case assigneeID = "assignee_id"
        case assigneeName = "assignee_name"
        case auditStatus = "audit_status"
        case lastAuditDate = "last_audit_date"
        case auditNotes = "audit_notes"
        case actionType = "action_type"
        case actionDate = "action_date"
        case version
    }

    /// The officer detail's `audit_info` (API.md).
    static let detailFields: [Field] = [.assignee, .assigneeID, .auditStatus, .lastAuditDate, .auditNotes, .actionType, .actionDate, .version]
    /// What `audit_log.old_value`/`new_value` keep of an assignment or a status change.
    static let snapshotFields: [Field] = [.assigneeID, .assigneeName, .auditStatus, .lastAuditDate, .auditNotes, .actionType, .version]

    /// Appends `"key":value` for each of `fields`, comma-separated, with a leading comma unless `first`.
    func write(_ fields: [Field], first: Bool, into writer: inout JSONWriter) {
        for (i, field) in fields.enumerated() {
            writer.comma(if: !(first && i == 0))
            writer.key(field.rawValue)
            switch field {
            case .assignee: writer.string(assigneeLabel)
            case .assigneeID: writer.string(assigneeID)
            case .assigneeName: writer.string(assigneeName)
            case .auditStatus: writer.string(auditStatus)
            case .lastAuditDate: writer.string(lastAuditDate)
            case .auditNotes: writer.string(auditNotes)
            case .actionType: writer.string(actionType)
            case .actionDate: writer.string(actionDate)
            case .version: writer.raw("\(version)")
            }
        }
    }

    /// `fields` as one JSON object.
    func object(_ fields: [Field]) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.raw("{")
        write(fields, first: true, into: &writer)
        writer.raw("}")
        return writer.bytes
    }
}

/// Who writes, with which precondition, and the request id for `audit_log`.
struct AuditWriteContext: Sendable {
    var officerID: String
    var actor: String
    var requestID: String
    var scope: AccessScope
    var maskPhones: Bool
    /// The `If-Match` version, if given.
    var expectedVersion: Int?
}

/// The audit statuses of API.md.
enum AuditStatus: String, Sendable, CaseIterable {
    case assigned = "Assigned"
    case inProgress = "In Progress"
    case resolved = "Resolved"
}

/// The result of a write: the `data` of the response (rendered) and the new version.
struct AuditWriteResult: Sendable {
    var data: [UInt8]
    var version: Int
}

/// Audit reads and writes, always on the primary. Every write appends to `audit_log` in the same
/// transaction, is serialized per officer (no lost update), and checks the `If-Match` version.
protocol AuditRepository: Sendable {
    /// The audit rows of these officers (absent: no row).
    func auditInfo(officerIDs: [String]) async throws -> [String: AuditInfo]
    /// True when the officer exists inside `scope`.
    func officerVisible(id: String, scope: AccessScope) async throws -> Bool
    /// `/audit/team-members` data, rendered.
    func teamMembers(activeOnly: Bool?) async throws -> [UInt8]
    /// Assigns an active team member (404 unknown, 422 inactive or a different name).
    func assign(memberID: String, memberName: String?, _ write: AuditWriteContext) async throws -> AuditWriteResult
    /// Changes the status (409 without an assignee for In Progress and Resolved).
    func changeStatus(_ status: AuditStatus, notes: String?, _ write: AuditWriteContext) async throws -> AuditWriteResult
    /// Records an action and lists the officer's top 20 risk loans; `idempotencyKey` makes retries
    /// safe: within the key's lifetime a retry by the same `sub` with the same `requestHash` gets
    /// the first response (phones masked for a caller who must not see them) and records nothing.
    func recordAction(type: String, notes: String?, idempotencyKey: String?, requestHash: String,
                      _ write: AuditWriteContext) async throws -> AuditWriteResult
    /// The officer's `audit_log`, newest first.
    func history(officerID: String, page: Int, perPage: Int) async throws -> RenderedPage
}
