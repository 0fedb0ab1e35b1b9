/// An auditor who can be assigned officer audits (`team_members`; payload kind `team_member`).
public struct TeamMember: Hashable, Sendable {
    /// `member_id`, the primary key.
    public var memberId: String
    /// `member_name`.
    public var memberName: String
    /// `member_email`, optional.
    public var memberEmail: String?
    /// `member_phone`, optional.
    public var memberPhone: String?
    /// `role`, optional (`Senior Auditor`, `Audit Manager`, ...).
    public var role: String?
    /// `department`, optional.
    public var department: String?
    /// `is_active`; default true.
    public var isActive: Bool

    /// Creates a team member.
    public init(
        memberId: String, memberName: String, memberEmail: String? = nil, memberPhone: String? = nil,
        role: String? = nil, department: String? = nil, isActive: Bool = true
    ) {
        self.memberId = memberId
        self.memberName = memberName
        self.memberEmail = memberEmail
        self.memberPhone = memberPhone
        self.role = role
        self.department = department
        self.isActive = isActive
    }
}
