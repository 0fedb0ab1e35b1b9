/// One `m_loan` row with what the mapping needs of its client (or group), officer and fund.
/// Money columns are the database's text (`NUMERIC(19,6)`: `1000.000000`), checked by
/// ``FineractMoney`` before use; dates are `YYYY-MM-DD`.
public struct FineractLoanRow: Sendable, Equatable {
    public var id: Int64
    public var loanStatusID: Int
    public var clientID: Int64?
    public var clientName: String?
    public var clientMobile: String?
    public var clientOfficeID: Int64?
    public var groupID: Int64?
    public var groupName: String?
    public var groupOfficeID: Int64?
    public var loanOfficerID: Int64?
    public var officerName: String?
    public var officerMobile: String?
    public var fundName: String?
    public var principalAmount: String
    public var principalDisbursed: String?
    public var annualNominalInterestRate: String?
    public var feeChargesCharged: String?
    public var disbursedOnDate: String?
    public var expectedDisbursedOnDate: String?
    public var expectedMaturedOnDate: String?
    public var closedOnDate: String?
    public var overpaidOnDate: String?
    public var writtenOffOnDate: String?
    public var isChargedOff: Bool

    /// Creates a loan row; the optional columns default to null.
    public init(id: Int64, loanStatusID: Int, principalAmount: String, clientID: Int64? = nil, clientName: String? = nil,
                clientMobile: String? = nil, clientOfficeID: Int64? = nil, groupID: Int64? = nil, groupName: String? = nil,
                groupOfficeID: Int64? = nil, loanOfficerID: Int64? = nil, officerName: String? = nil, officerMobile: String? = nil,
                fundName: String? = nil, principalDisbursed: String? = nil, annualNominalInterestRate: String? = nil,
                feeChargesCharged: String? = nil, disbursedOnDate: String? = nil, expectedDisbursedOnDate: String? = nil,
                expectedMaturedOnDate: String? = nil, closedOnDate: String? = nil, overpaidOnDate: String? = nil,
                writtenOffOnDate: String? = nil, isChargedOff: Bool = false) {
        self.id = id
        self.loanStatusID = loanStatusID
        self.principalAmount = principalAmount
        self.clientID = clientID
        self.clientName = clientName
        self.clientMobile = clientMobile
        self.clientOfficeID = clientOfficeID
        self.groupID = groupID
        self.groupName = groupName
        self.groupOfficeID = groupOfficeID
        self.loanOfficerID = loanOfficerID
        self.officerName = officerName
        self.officerMobile = officerMobile
        self.fundName = fundName
        self.principalDisbursed = principalDisbursed
        self.annualNominalInterestRate = annualNominalInterestRate
        self.feeChargesCharged = feeChargesCharged
        self.disbursedOnDate = disbursedOnDate
        self.expectedDisbursedOnDate = expectedDisbursedOnDate
        self.expectedMaturedOnDate = expectedMaturedOnDate
        self.closedOnDate = closedOnDate
        self.overpaidOnDate = overpaidOnDate
        self.writtenOffOnDate = writtenOffOnDate
        self.isChargedOff = isChargedOff
    }
}
