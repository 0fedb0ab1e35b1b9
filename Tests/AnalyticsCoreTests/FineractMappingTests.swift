import AnalyticsCore
import Testing

/// One test per rule of FINERACT.md "The mapping", without a database.
@Suite("Fineract mapping")
struct FineractMappingTests {
    static let offices = [
        FineractOffice(id: 1, name: "Head Office", hierarchy: "."),
        FineractOffice(id: 4, name: "North", hierarchy: ".4."),
        FineractOffice(id: 9, name: "Kano", hierarchy: ".4.9."),
        FineractOffice(id: 12, name: "Kano Market", hierarchy: ".4.9.12."),
    ]
    static let mapping = FineractMapping(offices: FineractOffices(offices, regionLevel: 1))

    static func loan(status: Int = 300, officer: Int64? = 5, client: Int64? = 7, group: Int64? = nil) -> FineractLoanRow {
        FineractLoanRow(id: 100, loanStatusID: status, principalAmount: "1000.000000", clientID: client, clientName: "Bola Ade",
                        clientOfficeID: 9, groupID: group, groupName: group == nil ? nil : "Market Women", groupOfficeID: 12,
                        loanOfficerID: officer, officerName: "Obi, Ada", fundName: "IFC", principalDisbursed: "1000.000000",
                        annualNominalInterestRate: "24.000000", feeChargesCharged: nil, disbursedOnDate: "2024-01-01",
                        expectedMaturedOnDate: "2024-03-01", closedOnDate: "2024-02-20", overpaidOnDate: "2024-02-21",
                        writtenOffOnDate: "2024-02-22")
    }

    static let schedule = [
        FineractInstallment(id: 31, installment: 2, dueDate: "2024-03-01", principalAmount: "500.000000", interestAmount: "10.000000",
                            feeChargesAmount: nil),
        FineractInstallment(id: 30, installment: 1, dueDate: "2024-02-01", principalAmount: "500.000000", interestAmount: nil,
                            feeChargesAmount: "5.000000"),
    ]

    static func mapped(_ bundle: FineractLoanBundle, held: Bool = false, mapping: FineractMapping = mapping) throws -> FineractMappedLoan {
        try #require(mapping.loan(bundle, held: held))
    }

    static func object(_ entry: IngestEntry) throws -> JSONObject { try #require(entry.object) }

    @Test("offices: branch is the office, region its ancestor at FINERACT_REGION_LEVEL, shallower offices are their own region")
    func offices() {
        let level1 = FineractOffices(Self.offices, regionLevel: 1)
        #expect(level1.placement(of: 9) == .init(region: "North", branch: "Kano"))
        #expect(level1.placement(of: 12) == .init(region: "North", branch: "Kano Market"))
        #expect(level1.placement(of: 4) == .init(region: "North", branch: "North"))
        #expect(level1.placement(of: 1) == .init(region: "Head Office", branch: "Head Office"))
        let level2 = FineractOffices(Self.offices, regionLevel: 2)
        #expect(level2.placement(of: 12) == .init(region: "Kano", branch: "Kano Market"))
        #expect(level2.placement(of: 4) == .init(region: "North", branch: "North"))
        let level0 = FineractOffices(Self.offices, regionLevel: 0)
        #expect(level0.placement(of: 12) == .init(region: "Head Office", branch: "Kano Market"))
    }

    @Test("statuses: 300 Active, 600 Closed on closedon_date, 700 Closed on overpaidon_date, 601 Written Off, undone held -> Cancelled")
    func statuses() throws {
        func status(_ code: Int, held: Bool = false) throws -> (String?, String?) {
            guard let mapped = Self.mapping.loan(FineractLoanBundle(loan: Self.loan(status: code), schedule: Self.schedule), held: held) else {
                return (nil, nil)
            }
            let object = try Self.object(mapped.entries[0])
            return (object["status"]?.stringValue, object["closed_date"]?.stringValue)
        }
        #expect(try status(300) == ("Active", nil))
        #expect(try status(303) == ("Active", nil))
        #expect(try status(600) == ("Closed", "2024-02-20"))
        #expect(try status(602) == ("Closed", "2024-02-20"))
        #expect(try status(700) == ("Closed", "2024-02-21"))
        #expect(try status(601) == ("Written Off", "2024-02-22"))
        #expect(try status(200) == (nil, nil))
        #expect(try status(200, held: true) == ("Cancelled", nil))
        #expect(try status(500, held: true) == ("Cancelled", nil))
    }

    @Test("loan fields: amount, rate / 100, fee null -> 0, term from expected maturity, Direct channel, fund channel")
    func loanFields() throws {
        let object = try Self.object(try Self.mapped(FineractLoanBundle(loan: Self.loan(), schedule: Self.schedule)).entries[0])
        #expect(object["loan_amount"]?.numberText == "1000.00")
        #expect(object["interest_rate"]?.numberText == "0.24")
        #expect(object["fee_amount"]?.numberText == "0.00")
        #expect(object["loan_term_days"]?.numberText == "60")
        #expect(object["maturity_date"]?.stringValue == "2024-03-01")
        #expect(object["channel"]?.stringValue == "Direct")
        #expect(object["region"]?.stringValue == "North")
        #expect(object["branch"]?.stringValue == "Kano")
        let byFund = FineractMapping(offices: FineractOffices(Self.offices, regionLevel: 1), channel: .fund)
        let funded = try Self.object(try Self.mapped(FineractLoanBundle(loan: Self.loan(), schedule: Self.schedule), mapping: byFund).entries[0])
        #expect(funded["channel"]?.stringValue == "IFC")
    }

    @Test("schedule: every row in due-date order numbered 1..n, null amounts 0")
    func schedule() throws {
        let object = try Self.object(try Self.mapped(FineractLoanBundle(loan: Self.loan(), schedule: Self.schedule)).entries[0])
        let rows = try #require(object["schedule"]?.arrayValue).compactMap(\.objectValue)
        #expect(rows.map { $0["installment_number"]?.numberText } == ["1", "2"])
        #expect(rows.map { $0["due_date"]?.stringValue } == ["2024-02-01", "2024-03-01"])
        #expect(rows.map { $0["interest_due"]?.numberText } == ["0.00", "10.00"])
        #expect(rows.map { $0["fee_due"]?.numberText } == ["5.00", "0.00"])
    }

    @Test("a group loan uses g<group_id> and a customer named after the group, placed by the group's office")
    func groupLoan() throws {
        let mapped = try Self.mapped(FineractLoanBundle(loan: Self.loan(client: nil, group: 3), schedule: Self.schedule))
        let object = try Self.object(mapped.entries[0])
        #expect(object["customer_id"]?.stringValue == "g3")
        #expect(object["customer_name"]?.stringValue == "Market Women")
        #expect(object["branch"]?.stringValue == "Kano Market")
        #expect(mapped.supporting.map(\.key) == ["customer:g3"])
    }

    @Test("a loan without officer: unassigned-<office_id>, named Unassigned (<office name>), in that office")
    func unassigned() throws {
        let mapped = try Self.mapped(FineractLoanBundle(loan: Self.loan(officer: nil), schedule: Self.schedule))
        #expect(try Self.object(mapped.entries[0])["officer_id"]?.stringValue == "unassigned-9")
        let officer = try Self.object(try #require(mapped.supporting.first).entry)
        #expect(officer["officer_name"]?.stringValue == "Unassigned (Kano)")
        #expect(officer["branch"]?.stringValue == "Kano")
    }

    static func transaction(_ id: Int64, type: Int = 2, date: String = "2024-02-01", submitted: String = "2024-02-01",
                            reversed: Bool = false) -> FineractTransaction {
        FineractTransaction(id: id, type: type, transactionDate: date, amount: "515.000000", submittedOnDate: submitted,
                            principalPortion: "500.000000", interestPortion: nil, feeChargesPortion: "5.000000",
                            penaltyChargesPortion: "10.000000", isReversed: reversed, reversedOnDate: reversed ? "2024-02-10" : nil,
                            paymentType: "Cash", receiptNumber: "R1")
    }

    @Test("the mapped entries carry their decoded records: the chunk decoder gives what decoding the same objects gives, the loan check included")
    func validatedEntriesDecodeAlike() throws {
        let bundle = FineractLoanBundle(loan: Self.loan(), schedule: Self.schedule,
                                        transactions: [Self.transaction(50), Self.transaction(51, date: "2024-02-02")])
        let entries = try Self.mapped(bundle).entries
        #expect(entries.count == 3 && entries.allSatisfy { $0.validated != nil })
        let plain = entries.map { entry -> IngestEntry in
            var copy = entry
            copy.validated = nil
            return copy
        }
        let scope = IngestScope(regions: ["North"], branches: nil)
        for scope in [nil, scope] {
            let fast = IngestChunkDecoder.decode(entries, known: IngestKnownRows(), scope: scope)
            let slow = IngestChunkDecoder.decode(plain, known: IngestKnownRows(), scope: scope)
            #expect(fast.loans == slow.loans && fast.repayments == slow.repayments && fast.loans.count == 1 && fast.repayments.count == 2)
            #expect(fast.rejects.isEmpty && slow.rejects.isEmpty)
            #expect(IngestChunkDecoder.references(entries, scoped: scope != nil) == IngestChunkDecoder.references(plain, scoped: scope != nil))
        }
        // Without their loan (not in the chunk, not in the database) the repayments are refused alike.
        let fast = IngestChunkDecoder.decode(Array(entries.dropFirst()), known: IngestKnownRows())
        let slow = IngestChunkDecoder.decode(Array(plain.dropFirst()), known: IngestKnownRows())
        #expect(fast.repayments.isEmpty && fast.rejects.count == 2)
        #expect(fast.rejects.map(\.reasonsJSON) == slow.rejects.map(\.reasonsJSON))
        #expect(fast.rejects.map(\.payload) == slow.rejects.map(\.payload))
        // Outside a scope that does not hold the loan's region: refused alike.
        let elsewhere = IngestScope(regions: ["South"], branches: nil)
        let outside = IngestChunkDecoder.decode(entries, known: IngestKnownRows(), scope: elsewhere)
        #expect(outside.loans.isEmpty && outside.rejects.count == 3)
        #expect(outside.rejects.map(\.reasonsJSON)
                == IngestChunkDecoder.decode(plain, known: IngestKnownRows(), scope: elsewhere).rejects.map(\.reasonsJSON))
    }

    @Test("replays: one record under the chain's first id with the newest row; backdated against the first's submission")
    func replayChain() throws {
        // 50 replaced by 51, 51 replaced by 52; 52 points at both (Fineract copies the relations).
        let bundle = FineractLoanBundle(
            loan: Self.loan(), schedule: Self.schedule,
            transactions: [Self.transaction(50, submitted: "2024-02-01", reversed: true),
                           Self.transaction(51, date: "2024-01-25", submitted: "2024-02-05", reversed: true),
                           Self.transaction(52, date: "2024-01-25", submitted: "2024-02-09")],
            replayed: [(from: 51, to: 50), (from: 52, to: 51), (from: 52, to: 50)])
        let mapped = try Self.mapped(bundle)
        #expect(mapped.entries.count == 2)
        let repayment = try Self.object(mapped.entries[1])
        #expect(repayment["repayment_id"]?.stringValue == "50")
        #expect(repayment["is_reversed"]?.boolValue == false)
        #expect(repayment["payment_date"]?.stringValue == "2024-01-25")
        #expect(repayment["is_backdated"]?.boolValue == true)
        #expect(repayment["payment_amount"]?.numberText == "515.00")
        #expect(repayment["penalty_paid"]?.numberText == "10.00")
        #expect(repayment["payment_method"]?.stringValue == "Cash")
        #expect(repayment["payment_reference"]?.stringValue == "R1")
    }

    @Test("a user's reversal stays a reversal with its date")
    func userReversal() throws {
        let mapped = try Self.mapped(FineractLoanBundle(loan: Self.loan(), schedule: Self.schedule,
                                                        transactions: [Self.transaction(60, reversed: true)]))
        let repayment = try Self.object(mapped.entries[1])
        #expect(repayment["is_reversed"]?.boolValue == true)
        #expect(repayment["reversal_date"]?.stringValue == "2024-02-10")
    }

    @Test("waivers: paid amounts 0, waiver_amount = amount, Interest (4, 31) or Fee (9); other types are not repayments")
    func waivers() throws {
        let bundle = FineractLoanBundle(loan: Self.loan(), schedule: Self.schedule,
                                        transactions: [Self.transaction(70, type: 4), Self.transaction(71, type: 31), Self.transaction(72, type: 9),
                                                       Self.transaction(73, type: 1), Self.transaction(74, type: 10), Self.transaction(75, type: 6)])
        let records = try Self.mapped(bundle).entries.dropFirst().map(Self.object)
        #expect(records.map { $0["waiver_type"]?.stringValue } == ["Interest", "Interest", "Fee"])
        #expect(records.allSatisfy { $0["payment_amount"]?.numberText == "0.00" && $0["waiver_amount"]?.numberText == "515.00" })
    }

    @Test("credits carry the type's name; a recovery without portions is a principal recovery of its amount")
    func creditsAndRecovery() throws {
        var recovery = Self.transaction(81, type: 8)
        recovery.principalPortion = nil
        recovery.feeChargesPortion = "0.000000"
        recovery.penaltyChargesPortion = nil
        let bundle = FineractLoanBundle(loan: Self.loan(), schedule: Self.schedule, transactions: [Self.transaction(80, type: 23), recovery])
        let records = try Self.mapped(bundle).entries.dropFirst().map(Self.object)
        #expect(records[0]["payment_method"]?.stringValue == "Goodwill Credit")
        #expect(records[1]["principal_paid"]?.numberText == "515.00")
        #expect(records[1]["payment_amount"]?.numberText == "515.00")
    }

    @Test("a chargeback rejects the loan whole, naming the transaction")
    func chargeback() throws {
        let mapped = try Self.mapped(FineractLoanBundle(loan: Self.loan(), schedule: Self.schedule,
                                                        transactions: [Self.transaction(90), Self.transaction(91, type: 25)]))
        #expect(mapped.isRejected)
        #expect(mapped.entries.count == 1)
        #expect(mapped.rejections == [FineractRejection(table: "m_loan_transaction", row: "91", column: "transaction_type_enum",
                                                        message: "a chargeback (25) raises what is owed, which the analytics model cannot carry")])
        #expect(mapped.entries[0].recordId == "100")
    }

    @Test("money with a non-zero third decimal rejects the loan naming table, row and column; never rounded")
    func thirdDecimal() throws {
        var transaction = Self.transaction(95)
        transaction.interestPortion = "1.005000"
        let mapped = try Self.mapped(FineractLoanBundle(loan: Self.loan(), schedule: Self.schedule, transactions: [transaction]))
        #expect(mapped.rejections.map { "\($0.table) \($0.row) \($0.column)" } == ["m_loan_transaction 95 interest_portion_derived"])
        #expect(FineractMoney.cents("12.340000") == 1_234)
        #expect(FineractMoney.cents("12.345000") == nil)
        #expect(FineractMoney.cents("-5.1") == -510 && FineractMoney.cents("7") == 700 && FineractMoney.cents("12.") == 1_200)
        #expect(FineractMoney.cents("0.000001") == nil && FineractMoney.cents("1000000.000000") == 100_000_000)
        for bad in ["", ".", ".5", "-", "1.2.3", "1,5", "1e3", " 1", "99999999999999999999"] {
            #expect(FineractMoney.cents(bad) == nil, "\(bad)")
        }
        #expect(FineractMoney.fractionOfPercent("24.120000") == "0.2412")
        #expect(FineractMoney.fractionOfPercent("24.123400") == nil)
    }

    @Test("a schedule that does not sum to the principal rejects the loan naming the schedule rows and column")
    func scheduleSum() throws {
        var schedule = Self.schedule
        schedule[0].principalAmount = "400.000000"
        let mapped = try Self.mapped(FineractLoanBundle(loan: Self.loan(), schedule: schedule))
        #expect(mapped.rejections.map { "\($0.table) \($0.row) \($0.column)" } == ["m_loan_repayment_schedule 30, 31 principal_amount"])
    }

    @Test("officers: display_name as written, Active/Inactive, no float gap; customers with gender")
    func masterData() throws {
        let officer = try Self.object(Self.mapping.officer(FineractStaff(id: 5, officeID: 12, displayName: "Obi, Ada",
                                                                          mobileNo: "+234 803 000 0000 ext 12345678901234567890",
                                                                          emailAddress: nil, isActive: false, joiningDate: "2021-01-01")))
        #expect(officer["officer_name"]?.stringValue == "Obi, Ada")
        #expect(officer["employment_status"]?.stringValue == "Inactive")
        #expect(officer["has_float_gap"]?.boolValue == false)
        #expect(officer["region"]?.stringValue == "North")
        let customer = try Self.object(Self.mapping.customer(FineractClient(id: 7, officeID: 9, displayName: "Bola Ade", mobileNo: nil,
                                                                             emailAddress: nil, dateOfBirth: "1990-05-01", gender: "Female")))
        #expect(customer["gender"]?.stringValue == "Female")
        #expect(customer["customer_id"]?.stringValue == "7")
    }
}
