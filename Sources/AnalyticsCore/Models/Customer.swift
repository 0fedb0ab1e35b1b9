/// A customer (`customers` table; ingestion payload kind `customer`).
public struct Customer: Hashable, Sendable {
    /// `customer_id`, the primary key.
    public var customerId: String
    /// `customer_name`.
    public var customerName: String
    /// `customer_phone`, optional.
    public var customerPhone: String?
    /// `customer_email`, optional.
    public var customerEmail: String?
    /// `date_of_birth`, optional.
    public var dateOfBirth: CalendarDate?
    /// `gender`, optional.
    public var gender: String?
    /// `state`, optional.
    public var state: String?
    /// `lga` (local government area), optional.
    public var lga: String?
    /// `address`, optional.
    public var address: String?
    /// `kyc_status`, optional.
    public var kycStatus: String?
    /// `kyc_verified_date`, optional.
    public var kycVerifiedDate: CalendarDate?

    /// Creates a customer.
    public init(
        customerId: String, customerName: String, customerPhone: String? = nil, customerEmail: String? = nil,
        dateOfBirth: CalendarDate? = nil, gender: String? = nil, state: String? = nil, lga: String? = nil,
        address: String? = nil, kycStatus: String? = nil, kycVerifiedDate: CalendarDate? = nil
    ) {
        self.customerId = customerId
        self.customerName = customerName
        self.customerPhone = customerPhone
        self.customerEmail = customerEmail
        self.dateOfBirth = dateOfBirth
        self.gender = gender
        self.state = state
        self.lga = lga
        self.address = address
        self.kycStatus = kycStatus
        self.kycVerifiedDate = kycVerifiedDate
    }

    /// The minimal customer the ingestion creates from a loan whose customer is unknown.
    public init(placeholderFor loan: Loan) {
        self.init(customerId: loan.customerId, customerName: loan.customerName, customerPhone: loan.customerPhone)
    }
}
