import Testing
import AnalyticsCore

/// One test per INGEST.md validation rule; each asserts that the problem names the field.
@Suite("Ingest validation")
struct ValidationTests {
    static let loanJSON = #"""
    {"loan_id":"LN1","customer_id":"C1","customer_name":"Ada","officer_id":"O1","officer_name":"Bola",
     "region":"South West","branch":"Lagos Main","loan_amount":1000.00,"disbursement_date":"2024-09-01",
     "maturity_date":"2024-11-30","loan_term_days":90,"interest_rate":0.1500,"fee_amount":30.00,
     "channel":"Direct","status":"Active","closed_date":null}
    """#
    static let repaymentJSON = #"""
    {"repayment_id":"R1","loan_id":"LN1","payment_date":"2024-10-02","payment_amount":420.00,
     "principal_paid":400.00,"interest_paid":9.00,"fees_paid":10.00,"penalty_paid":1.00}
    """#

    static func object(_ json: String, _ changes: [String: JSONValue?] = [:]) throws -> JSONObject {
        var object = try #require(try JSONReader().parse(json).objectValue)
        for (key, value) in changes {
            object.members.removeAll { $0.key == key }
            if let value { object.members.append(.init(key: key, value: value)) }
        }
        return object
    }

    static func loanProblems(_ changes: [String: JSONValue?]) throws -> [ValidationProblem] {
        RecordDecoder.decodeLoan(try object(loanJSON, changes)).problems
    }

    static func repaymentProblems(_ changes: [String: JSONValue?]) throws -> [ValidationProblem] {
        RecordDecoder.decodeRepayment(try object(repaymentJSON, changes)) { $0 == "LN1" }.problems
    }

    /// Exactly one problem, on `field`, whose message names it.
    static func expectOneProblem(_ problems: [ValidationProblem], field: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(problems.count == 1, "\(problems)", sourceLocation: sourceLocation)
        #expect(problems.first?.field == field, sourceLocation: sourceLocation)
        #expect(problems.first?.message.contains(field) == true, sourceLocation: sourceLocation)
    }

    @Test func validLoanAndRepaymentPass() throws {
        let loan = RecordDecoder.decodeLoan(try Self.object(Self.loanJSON))
        #expect(loan.problems == [])
        #expect(loan.record?.loanAmount.minorUnits == 100_000)
        #expect(loan.record?.interestRate?.scaled == 1500)
        let repayment = RecordDecoder.decodeRepayment(try Self.object(Self.repaymentJSON)) { $0 == "LN1" }
        #expect(repayment.problems == [])
    }

    @Test func requiredFieldMissing() throws {
        let problems = try Self.loanProblems(["customer_name": nil])
        Self.expectOneProblem(problems, field: "customer_name")
        #expect(problems.first?.recordId == "LN1")
        #expect(problems.first?.kind == .loan)
        Self.expectOneProblem(try Self.loanProblems(["branch": .null]), field: "branch")
    }

    @Test func fieldsMustBeTyped() throws {
        Self.expectOneProblem(try Self.loanProblems(["loan_amount": .string("1000.00")]), field: "loan_amount")
        Self.expectOneProblem(try Self.loanProblems(["loan_term_days": .string("90")]), field: "loan_term_days")
        Self.expectOneProblem(try Self.loanProblems(["loan_term_days": .number("90.5")]), field: "loan_term_days")
        Self.expectOneProblem(try Self.loanProblems(["officer_id": .number("7")]), field: "officer_id")
        Self.expectOneProblem(try Self.repaymentProblems(["is_reversed": .string("yes")]), field: "is_reversed")
    }

    @Test func datesMustBeRealCalendarDays() throws {
        Self.expectOneProblem(try Self.loanProblems(["disbursement_date": .string("2024-02-30")]), field: "disbursement_date")
        Self.expectOneProblem(try Self.loanProblems(["closed_date": .string("2024/10/01")]), field: "closed_date")
        Self.expectOneProblem(try Self.repaymentProblems(["payment_date": .string("2024-10-2")]), field: "payment_date")
    }

    @Test func moneyMustNotBeNegative() throws {
        Self.expectOneProblem(try Self.loanProblems(["fee_amount": .number("-1.00")]), field: "fee_amount")
    }

    @Test func moneyHasAtMostTwoDecimals() throws {
        Self.expectOneProblem(try Self.loanProblems(["loan_amount": .number("1000.005")]), field: "loan_amount")
        // Trailing zeros are fine, and the value is exact.
        let loan = RecordDecoder.decodeLoan(try Self.object(Self.loanJSON, ["loan_amount": .number("1000.100")]))
        #expect(loan.problems == [])
        #expect(loan.record?.loanAmount.minorUnits == 100_010)
    }

    @Test func interestRateInZeroToTen() throws {
        Self.expectOneProblem(try Self.loanProblems(["interest_rate": .number("10")]), field: "interest_rate")
        Self.expectOneProblem(try Self.loanProblems(["interest_rate": .number("-0.01")]), field: "interest_rate")
        #expect(try Self.loanProblems(["interest_rate": .number("9.9999")]) == [])
        #expect(try Self.loanProblems(["interest_rate": .null]) == [])
    }

    @Test func loanTermDaysPositive() throws {
        Self.expectOneProblem(try Self.loanProblems(["loan_term_days": .number("0")]), field: "loan_term_days")
    }

    @Test func repaymentEveryDaysPositive() throws {
        Self.expectOneProblem(try Self.loanProblems(["repayment_every_days": .number("0")]), field: "repayment_every_days")
        #expect(try Self.loanProblems(["repayment_every_days": .number("7")]) == [])
    }

    @Test func maturityNotBeforeDisbursement() throws {
        Self.expectOneProblem(try Self.loanProblems(["maturity_date": .string("2024-08-31")]), field: "maturity_date")
        #expect(try Self.loanProblems(["maturity_date": .string("2024-09-01")]) == [])
    }

    @Test func statusIsOneOfFour() throws {
        Self.expectOneProblem(try Self.loanProblems(["status": .string("Open")]), field: "status")
        for status in LoanStatus.allCases {
            #expect(try Self.loanProblems(["status": .string(status.rawValue)]) == [])
        }
    }

    @Test func channelNonEmpty() throws {
        Self.expectOneProblem(try Self.loanProblems(["channel": .string("")]), field: "channel")
        Self.expectOneProblem(try Self.loanProblems(["channel": .string("  ")]), field: "channel")
    }

    @Test func paymentAmountEqualsComponents() throws {
        Self.expectOneProblem(try Self.repaymentProblems(["payment_amount": .number("420.01")]), field: "payment_amount")
    }

    @Test func reversalDateOnlyWhenReversed() throws {
        Self.expectOneProblem(try Self.repaymentProblems(["reversal_date": .string("2024-10-05")]), field: "reversal_date")
        #expect(try Self.repaymentProblems(["reversal_date": .string("2024-10-05"), "is_reversed": .bool(true)]) == [])
        #expect(try Self.repaymentProblems(["is_reversed": .bool(true)]) == [])
    }

    @Test func loanIdMustExist() throws {
        let problems = RecordDecoder.decodeRepayment(try Self.object(Self.repaymentJSON)) { _ in false }.problems
        Self.expectOneProblem(problems, field: "loan_id")
        #expect(problems.first?.recordId == "R1")
    }

    @Test func repaymentDefaults() throws {
        let object = try Self.object(#"{"repayment_id":"R2","loan_id":"LN1","payment_date":"2024-10-02","payment_amount":0}"#)
        let repayment = try #require(RecordDecoder.decodeRepayment(object) { _ in true }.record)
        #expect(repayment.principalPaid == .zero && repayment.penaltyPaid == .zero && repayment.waiverAmount == .zero)
        #expect(!repayment.isBackdated && !repayment.isReversed && repayment.reversalDate == nil)
    }

    @Test func officerDefaults() throws {
        let object = try Self.object(#"{"officer_id":"O1","officer_name":"Bola","region":"R","branch":"B"}"#)
        let officer = try #require(RecordDecoder.decodeOfficer(object).record)
        #expect(officer.employmentStatus == "Active")
        #expect(officer.hasFloatGap == false)
        #expect(officer.effectivePrimaryChannel == "Direct")
        let member = RecordDecoder.decodeTeamMember(try Self.object(#"{"member_id":"T1","member_name":"Z"}"#))
        #expect(member.record?.isActive == true)
    }

    @Test(arguments: ["current_dpd", "max_dpd_ever", "principal_outstanding", "interest_outstanding",
                      "fees_outstanding", "total_outstanding", "total_principal_paid", "total_interest_paid",
                      "total_fees_paid", "first_payment_missed", "first_payment_due_date",
                      "first_payment_received_date", "fimr_tagged", "early_indicator_tagged", "dpd_bucket"])
    func computedFieldsAreRejected(_ field: String) throws {
        Self.expectOneProblem(try Self.loanProblems([field: .number("0")]), field: field)
    }

    @Test func unknownFieldsAreIgnoredAndReturned() throws {
        let decoded = RecordDecoder.decodeRepayment(
            try Self.object(Self.repaymentJSON, ["dpd_at_payment": .number("3"), "source_branch_code": .string("x")])
        ) { _ in true }
        #expect(decoded.problems == [])
        #expect(Set(decoded.unknownFields) == ["dpd_at_payment", "source_branch_code"])
    }

    @Test("a repeated key: the last value is read, a known key is known at every occurrence, an unknown one is returned once")
    func repeatedKeys() throws {
        var object = try Self.object(Self.repaymentJSON, ["extra": .string("a")])
        object.members.insert(.init(key: "payment_method", value: .number("7")), at: 0)
        object.members.append(.init(key: "extra", value: .string("b")))
        object.members.append(.init(key: "type", value: .string("repayment")))
        object.members.append(.init(key: "payment_method", value: .string("Cash")))
        let decoded = RecordDecoder.decodeRepayment(object) { _ in true }
        #expect(decoded.problems == [])
        #expect(decoded.unknownFields == ["extra"])
        #expect(decoded.record?.paymentMethod == "Cash")
    }

    @Test func everyProblemIsReported() throws {
        let problems = try Self.loanProblems([
            "loan_amount": .number("-5"), "status": .string("Open"), "channel": .string(""), "customer_id": nil,
        ])
        #expect(Set(problems.map(\.field)) == ["loan_amount", "status", "channel", "customer_id"])
    }

    // MARK: schedule

    static func schedule(_ rows: [(Int, String, String)]) -> JSONValue {
        .array(rows.map { number, due, principal in
            .object(JSONObject(members: [
                .init(key: "installment_number", value: .number(String(number))),
                .init(key: "due_date", value: .string(due)),
                .init(key: "principal_due", value: .number(principal)),
                .init(key: "interest_due", value: .number("5.00")),
                .init(key: "fee_due", value: .number("0.00")),
            ]))
        })
    }

    @Test func validScheduleInAnyListedOrder() throws {
        let loan = RecordDecoder.decodeLoan(try Self.object(Self.loanJSON, [
            "schedule": Self.schedule([(2, "2024-11-01", "600.00"), (1, "2024-10-01", "400.00")]),
        ]))
        #expect(loan.problems == [])
        #expect(loan.record?.schedule?.map(\.installmentNumber) == [1, 2])
    }

    @Test func scheduleNumbersWithoutGaps() throws {
        let problems = try Self.loanProblems(["schedule": Self.schedule([(1, "2024-10-01", "400.00"), (3, "2024-11-01", "600.00")])])
        Self.expectOneProblem(problems, field: "schedule")
        #expect(problems.first?.message.contains("installment_number") == true)
    }

    @Test func scheduleDueDatesStrictlyIncreasing() throws {
        let problems = try Self.loanProblems(["schedule": Self.schedule([(1, "2024-10-01", "400.00"), (2, "2024-10-01", "600.00")])])
        Self.expectOneProblem(problems, field: "schedule[1].due_date")
    }

    @Test func scheduleDueDatesAfterDisbursement() throws {
        let problems = try Self.loanProblems(["schedule": Self.schedule([(1, "2024-09-01", "400.00"), (2, "2024-10-01", "600.00")])])
        Self.expectOneProblem(problems, field: "schedule[0].due_date")
    }

    @Test func scheduleAmountsNotNegative() throws {
        let problems = try Self.loanProblems(["schedule": Self.schedule([(1, "2024-10-01", "-400.00"), (2, "2024-11-01", "1400.00")])])
        Self.expectOneProblem(problems, field: "schedule[0].principal_due")
    }

    @Test func schedulePrincipalSumsToLoanAmount() throws {
        let problems = try Self.loanProblems(["schedule": Self.schedule([(1, "2024-10-01", "400.00"), (2, "2024-11-01", "600.01")])])
        Self.expectOneProblem(problems, field: "schedule")
        #expect(problems.first?.message.contains("loan_amount") == true)
    }

    // MARK: kinds and batches

    @Test func kindInference() throws {
        let repayment = try Self.object(Self.repaymentJSON)
        #expect(RecordKind.infer(from: repayment) == .repayment)  // has loan_id too
        #expect(RecordKind.infer(from: try Self.object(Self.loanJSON)) == .loan)  // has officer_id too
        #expect(RecordKind.infer(from: try Self.object(#"{"type":"officer","loan_id":"x"}"#)) == .officer)
        #expect(RecordKind.infer(from: try Self.object(#"{"member_id":"T1"}"#)) == .teamMember)
        #expect(RecordKind.infer(from: try Self.object(#"{"customer_id":"C1"}"#)) == .customer)
        let bad = RecordDecoder.decode(try JSONReader().parse(#"{"type":"branch"}"#)) { _ in true }
        #expect(bad.problems.first?.field == "type")
        #expect(bad.problems.first?.message.contains("type") == true)
    }

    @Test func singleEntityDecoding() throws {
        let decoded = RecordDecoder.decode(try JSONReader().parse(Self.repaymentJSON)) { $0 == "LN1" }
        #expect(decoded.record?.kind == .repayment)
    }

    @Test func batchResolvesLoansOfTheSameInput() throws {
        let text = "{\"loans\":[\(Self.loanJSON)],\"repayments\":[\(Self.repaymentJSON)],\"extra\":1}"
        let result = BatchDecoder.decode(try JSONReader().parse(text))
        #expect(result.problems == [])
        #expect(result.loans.count == 1 && result.repayments.count == 1)
        #expect(result.unknownFieldCounts["extra"] == 1)
        let orphan = BatchDecoder.decode(try JSONReader().parse("{\"repayments\":[\(Self.repaymentJSON)]}"))
        #expect(orphan.rejected.first?.problems.first?.field == "loan_id")
        #expect(orphan.rejected.first?.recordId == "R1")
    }
}
