/// One `m_staff` row (an officer: FINERACT.md "The mapping").
public struct FineractStaff: Sendable, Equatable {
    /// `id`.
    public var id: Int64
    /// `office_id` (nullable in the schema; Fineract always sets it).
    public var officeID: Int64?
    /// `display_name` ("Last, First" as Fineract writes it).
    public var displayName: String
    /// `mobile_no` (up to 50 characters).
    public var mobileNo: String?
    /// `email_address`.
    public var emailAddress: String?
    /// `is_active`.
    public var isActive: Bool
    /// `joining_date` (`YYYY-MM-DD`).
    public var joiningDate: String?

    /// Creates a staff row.
    public init(id: Int64, officeID: Int64?, displayName: String, mobileNo: String?, emailAddress: String?, isActive: Bool,
                joiningDate: String?) {
        self.id = id
        self.officeID = officeID
        self.displayName = displayName
        self.mobileNo = mobileNo
        self.emailAddress = emailAddress
        self.isActive = isActive
        self.joiningDate = joiningDate
    }
}
