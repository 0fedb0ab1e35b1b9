/// Fineract rows -> ingest entries, exactly by FINERACT.md "The mapping": the one mapping of the
/// pull (`metrics-worker sync-fineract`). Pure: no database; the entries go through the ingest path
/// (validation, `etl_rejects`, upserts) like any other input.
public struct FineractMapping: Sendable {
    /// The offices, placed at `FINERACT_REGION_LEVEL`.
    public let offices: FineractOffices
    /// `FINERACT_CHANNEL`.
    public let channel: FineractChannel

    /// A mapping over `offices` with `channel`.
    public init(offices: FineractOffices, channel: FineractChannel = .direct) {
        self.offices = offices
        self.channel = channel
    }

    /// The placement of an office, or the head office's name for both when the office is unknown
    /// (Fineract never leaves one unset; the schema allows it for staff).
    func placement(_ officeID: Int64?) -> FineractOffices.Placement {
        if let officeID, let placement = offices.placement(of: officeID) { return placement }
        let head = offices.office(1)?.name ?? "Head Office"
        return FineractOffices.Placement(region: head, branch: head)
    }

    /// The officer record of a staff row.
    public func officer(_ staff: FineractStaff) -> IngestEntry {
        let place = placement(staff.officeID)
        var record = FineractRecord()
        record.string("officer_id", String(staff.id))
        record.string("officer_name", staff.displayName)
        record.string("officer_phone", staff.mobileNo)
        record.string("officer_email", staff.emailAddress)
        record.string("region", place.region)
        record.string("branch", place.branch)
        record.string("employment_status", staff.isActive ? "Active" : "Inactive")
        record.string("hire_date", staff.joiningDate)
        record.bool("has_float_gap", false)
        return record.entry(.officer, location: "m_staff \(staff.id)")
    }

    /// The officer of a loan without one: `unassigned-<office_id>`, "Unassigned (<office name>)".
    public func unassignedOfficer(office officeID: Int64) -> IngestEntry {
        let place = placement(officeID)
        var record = FineractRecord()
        record.string("officer_id", "unassigned-\(officeID)")
        record.string("officer_name", "Unassigned (\(place.branch))")
        record.string("region", place.region)
        record.string("branch", place.branch)
        record.string("employment_status", "Active")
        record.bool("has_float_gap", false)
        return record.entry(.officer, location: "m_office \(officeID)")
    }

    /// The customer record of a client row.
    public func customer(_ client: FineractClient) -> IngestEntry {
        var record = FineractRecord()
        record.string("customer_id", String(client.id))
        record.string("customer_name", client.displayName)
        record.string("customer_phone", client.mobileNo)
        record.string("customer_email", client.emailAddress)
        record.string("date_of_birth", client.dateOfBirth)
        record.string("gender", client.gender)
        return record.entry(.customer, location: "m_client \(client.id)")
    }

    /// The customer record of a group (its loans' customer): `g<group_id>`, named after the group.
    public func groupCustomer(id: Int64, name: String) -> IngestEntry {
        var record = FineractRecord()
        record.string("customer_id", "g\(id)")
        record.string("customer_name", name)
        return record.entry(.customer, location: "m_group \(id)")
    }
}
