/// Decodes and validates ingestion payload objects into models (INGEST.md), reporting every
/// problem of a record, each naming the record and the field.
public enum RecordDecoder {
    /// Decodes an officer. Defaults: `employment_status` Active, `has_float_gap` false.
    public static func decodeOfficer(_ object: JSONObject) -> DecodedRecord<Officer> {
        var r = FieldReader(object, kind: .officer)
        let id = r.readId()
        let name = r.string("officer_name")
        let phone = r.optionalString("officer_phone")
        let email = r.optionalString("officer_email")
        let region = r.string("region")
        let branch = r.string("branch")
        let status = r.optionalString("employment_status") ?? "Active"
        let hire = r.optionalDate("hire_date")
        let termination = r.optionalDate("termination_date")
        let channel = r.optionalString("primary_channel")
        let floatGap = r.bool("has_float_gap", default: false)
        let unknown = r.finish()
        var officer: Officer?
        if r.problems.isEmpty, let id, let name, let region, let branch {
            officer = Officer(
                officerId: id, officerName: name, officerPhone: phone, officerEmail: email, region: region,
                branch: branch, employmentStatus: status, hireDate: hire, terminationDate: termination,
                primaryChannel: channel, hasFloatGap: floatGap
            )
        }
        return DecodedRecord(record: officer, problems: r.problems, unknownFields: unknown, recordId: id)
    }

    /// Decodes a customer.
    public static func decodeCustomer(_ object: JSONObject) -> DecodedRecord<Customer> {
        var r = FieldReader(object, kind: .customer)
        let id = r.readId()
        let name = r.string("customer_name")
        let phone = r.optionalString("customer_phone")
        let email = r.optionalString("customer_email")
        let birth = r.optionalDate("date_of_birth")
        let gender = r.optionalString("gender")
        let state = r.optionalString("state")
        let lga = r.optionalString("lga")
        let address = r.optionalString("address")
        let kyc = r.optionalString("kyc_status")
        let verified = r.optionalDate("kyc_verified_date")
        let unknown = r.finish()
        var customer: Customer?
        if r.problems.isEmpty, let id, let name {
            customer = Customer(
                customerId: id, customerName: name, customerPhone: phone, customerEmail: email, dateOfBirth: birth,
                gender: gender, state: state, lga: lga, address: address, kycStatus: kyc, kycVerifiedDate: verified
            )
        }
        return DecodedRecord(record: customer, problems: r.problems, unknownFields: unknown, recordId: id)
    }

    /// Decodes a team member. Default: `is_active` true.
    public static func decodeTeamMember(_ object: JSONObject) -> DecodedRecord<TeamMember> {
        var r = FieldReader(object, kind: .teamMember)
        let id = r.readId()
        let name = r.string("member_name")
        let email = r.optionalString("member_email")
        let phone = r.optionalString("member_phone")
        let role = r.optionalString("role")
        let department = r.optionalString("department")
        let active = r.bool("is_active", default: true)
        let unknown = r.finish()
        var member: TeamMember?
        if r.problems.isEmpty, let id, let name {
            member = TeamMember(
                memberId: id, memberName: name, memberEmail: email, memberPhone: phone, role: role,
                department: department, isActive: active
            )
        }
        return DecodedRecord(record: member, problems: r.problems, unknownFields: unknown, recordId: id)
    }

    /// Decodes a single entity object of any kind: the kind comes from its `"type"` field or its
    /// id field (see ``RecordKind/infer(from:)``).
    ///
    /// - Parameter loanExists: whether a `loan_id` is known (in the database or earlier in the
    ///   same input); used for repayments.
    public static func decode(_ value: JSONValue, loanExists: (String) -> Bool) -> DecodedRecord<IngestRecord> {
        guard let object = value.objectValue else {
            let problem = ValidationProblem(kind: nil, recordId: nil, field: "",
                                            message: "record must be a JSON object, not \(value.kindDescription)")
            return DecodedRecord(record: nil, problems: [problem], unknownFields: [], recordId: nil)
        }
        guard let kind = RecordKind.infer(from: object) else {
            let message = object["type"] != nil
                ? "type: must be one of loan, repayment, officer, customer, team_member"
                : "type: record kind unknown: no \"type\" field and no id field (repayment_id, loan_id, member_id, officer_id, customer_id)"
            let problem = ValidationProblem(kind: nil, recordId: nil, field: "type", message: message)
            return DecodedRecord(record: nil, problems: [problem], unknownFields: [], recordId: nil)
        }
        switch kind {
        case .officer: return decodeOfficer(object).map(IngestRecord.officer)
        case .customer: return decodeCustomer(object).map(IngestRecord.customer)
        case .loan: return decodeLoan(object).map(IngestRecord.loan)
        case .repayment: return decodeRepayment(object, loanExists: loanExists).map(IngestRecord.repayment)
        case .teamMember: return decodeTeamMember(object).map(IngestRecord.teamMember)
        }
    }
}

extension DecodedRecord {
    /// The same outcome with the record transformed.
    public func map<Other: Sendable>(_ transform: (Record) -> Other) -> DecodedRecord<Other> {
        DecodedRecord<Other>(record: record.map(transform), problems: problems, unknownFields: unknownFields, recordId: recordId)
    }
}
