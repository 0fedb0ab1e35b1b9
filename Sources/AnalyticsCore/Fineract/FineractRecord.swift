/// Builds the JSON object of one ingest record, member by member (nil values are left out).
struct FineractRecord {
    private(set) var members: [JSONObject.Member] = []

    mutating func string(_ key: String, _ value: String?) {
        if let value { members.append(.init(key: key, value: .string(value))) }
    }

    mutating func number(_ key: String, _ value: String?) {
        if let value { members.append(.init(key: key, value: .number(value))) }
    }

    mutating func bool(_ key: String, _ value: Bool) {
        members.append(.init(key: key, value: .bool(value)))
    }

    mutating func array(_ key: String, _ values: [JSONValue]) {
        members.append(.init(key: key, value: .array(values)))
    }

    var object: JSONObject { JSONObject(members: members) }

    /// The entry of this record, found at `location` (`m_loan 12`).
    func entry(_ kind: RecordKind, location: String) -> IngestEntry {
        IngestEntry(location: location, kind: kind, value: .success(.object(object)), raw: "")
    }
}
