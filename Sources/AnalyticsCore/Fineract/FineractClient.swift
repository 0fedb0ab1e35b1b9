/// One `m_client` row with its gender's `m_code_value.code_value`.
public struct FineractClient: Sendable, Equatable {
    /// `id`.
    public var id: Int64
    /// `office_id` (decides the region and branch of the client's loans).
    public var officeID: Int64
    /// `display_name`.
    public var displayName: String
    /// `mobile_no`.
    public var mobileNo: String?
    /// `email_address`.
    public var emailAddress: String?
    /// `date_of_birth` (`YYYY-MM-DD`).
    public var dateOfBirth: String?
    /// The `m_code_value.code_value` of `gender_cv_id`.
    public var gender: String?

    /// Creates a client row.
    public init(id: Int64, officeID: Int64, displayName: String, mobileNo: String?, emailAddress: String?, dateOfBirth: String?,
                gender: String?) {
        self.id = id
        self.officeID = officeID
        self.displayName = displayName
        self.mobileNo = mobileNo
        self.emailAddress = emailAddress
        self.dateOfBirth = dateOfBirth
        self.gender = gender
    }
}
