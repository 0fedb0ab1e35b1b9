/// Reads typed fields out of one payload object, collecting a problem per bad field instead of
/// stopping at the first, and remembering which fields were known.
struct FieldReader {
    let object: JSONObject
    let kind: RecordKind
    /// A prefix for field names inside nested objects (`schedule[2].`).
    let prefix: String
    private(set) var recordId: String?
    private(set) var problems: [ValidationProblem] = []
    /// Per member of `object`, whether a read named its key (`type` is known from the start). A
    /// flag per member rather than a set of names: reading a record hashes no strings.
    private var known: [Bool]

    init(_ object: JSONObject, kind: RecordKind, prefix: String = "", recordId: String? = nil) {
        self.object = object
        self.kind = kind
        self.prefix = prefix
        self.recordId = recordId
        known = object.members.map { $0.key == "type" }
    }

    /// Reads the kind's id field (required string) and remembers it for the problems.
    mutating func readId() -> String? {
        let id = string(kind.idField)
        recordId = id
        return id
    }

    mutating func problem(_ field: String, _ message: String) {
        let name = prefix + field
        problems.append(ValidationProblem(kind: kind, recordId: recordId, field: name, message: "\(name): \(message)"))
    }

    /// The value, or nil when absent or null ("required" is the caller's business).
    private mutating func value(_ field: String) -> JSONValue? {
        // The last member of that name wins (as `JSONObject`'s subscript); every one is known.
        var found: JSONValue?
        // Lengths first: most keys differ in length, and comparing them costs no string compare.
        let length = field.utf8.count
        for (index, member) in object.members.enumerated() where member.key.utf8.count == length && member.key == field {
            known[index] = true
            found = member.value
        }
        guard let found, !found.isNull else { return nil }
        return found
    }

    // MARK: strings

    /// A required, non-empty string.
    mutating func string(_ field: String) -> String? {
        guard let value = value(field) else {
            problem(field, "is required")
            return nil
        }
        guard let text = value.stringValue else {
            problem(field, "must be a string, not \(value.kindDescription)")
            return nil
        }
        // A visible ASCII byte settles it without walking the characters (the common case).
        guard text.utf8.contains(where: { (0x21...0x7E).contains($0) }) || text.contains(where: { !$0.isWhitespace }) else {
            problem(field, "must not be empty")
            return nil
        }
        return storable(field, text)
    }

    /// An optional string (absent or null gives nil).
    mutating func optionalString(_ field: String) -> String? {
        guard let value = value(field) else { return nil }
        guard let text = value.stringValue else {
            problem(field, "must be a string, not \(value.kindDescription)")
            return nil
        }
        return storable(field, text)
    }

    /// The text when its column can hold it: no NUL character (PostgreSQL text cannot) and no
    /// longer than the column (`TextLimits`, counted in Unicode code points as PostgreSQL does).
    private mutating func storable(_ field: String, _ text: String) -> String? {
        if text.utf8.contains(0) {
            problem(field, "must not contain NUL (\\u0000) characters")
            return nil
        }
        if text.utf8.count > TextLimits.shortest, let limit = TextLimits.maximum[field], text.utf8.count > limit,
           text.unicodeScalars.count > limit {
            problem(field, "must be at most \(limit) characters, got \(text.unicodeScalars.count)")
            return nil
        }
        return text
    }

    // MARK: dates

    /// A required `YYYY-MM-DD` date.
    mutating func date(_ field: String) -> CalendarDate? {
        guard value(field) != nil else {
            problem(field, "is required")
            return nil
        }
        return optionalDate(field)
    }

    /// An optional `YYYY-MM-DD` date.
    mutating func optionalDate(_ field: String) -> CalendarDate? {
        guard let value = value(field) else { return nil }
        guard let text = value.stringValue else {
            problem(field, "must be a date string YYYY-MM-DD, not \(value.kindDescription)")
            return nil
        }
        guard let date = CalendarDate(iso: text) else {
            problem(field, "must be a valid date YYYY-MM-DD, got \"\(text)\"")
            return nil
        }
        return date
    }

    // MARK: numbers

    /// A required money amount: >= 0, at most 2 decimals, within `NUMERIC(15,2)`.
    mutating func money(_ field: String) -> Money? {
        guard value(field) != nil else {
            problem(field, "is required")
            return nil
        }
        return optionalMoney(field)
    }

    /// A money amount that defaults to 0 when absent or null.
    mutating func moneyOrZero(_ field: String) -> Money? {
        guard value(field) != nil else { return .zero }
        return optionalMoney(field)
    }

    /// An optional money amount.
    mutating func optionalMoney(_ field: String) -> Money? {
        guard let value = value(field) else { return nil }
        guard let text = value.numberText, let literal = DecimalLiteral(text) else {
            problem(field, "must be a number, not \(value.kindDescription)")
            return nil
        }
        guard !literal.isNegative || literal.isZero else {
            problem(field, "must be >= 0, got \(text)")
            return nil
        }
        guard literal.isZero || literal.exponent >= -2 else {
            problem(field, "must have at most 2 decimal places, got \(text)")
            return nil
        }
        // NUMERIC(15,2): below 10^13 units of currency.
        guard let units = literal.scaled(toPlaces: 2), units < 1_000_000_000_000_000 else {
            problem(field, "is out of range, got \(text)")
            return nil
        }
        return Money(minorUnits: units)
    }

    /// A required integer.
    mutating func int(_ field: String) -> Int? {
        guard value(field) != nil else {
            problem(field, "is required")
            return nil
        }
        return optionalInt(field)
    }

    /// An optional integer.
    mutating func optionalInt(_ field: String) -> Int? {
        guard let value = value(field) else { return nil }
        guard let text = value.numberText, let literal = DecimalLiteral(text) else {
            problem(field, "must be an integer, not \(value.kindDescription)")
            return nil
        }
        guard let number = literal.scaled(toPlaces: 0), let int = Int32(exactly: number) else {
            problem(field, "must be an integer, got \(text)")
            return nil
        }
        return Int(int)
    }

    /// An optional 4-decimal rate.
    mutating func optionalRate(_ field: String) -> Ratio4? {
        guard let value = value(field) else { return nil }
        guard let text = value.numberText, let literal = DecimalLiteral(text) else {
            problem(field, "must be a number, not \(value.kindDescription)")
            return nil
        }
        guard literal.isZero || literal.exponent >= -4, let scaled = literal.scaled(toPlaces: 4) else {
            problem(field, "must have at most 4 decimal places, got \(text)")
            return nil
        }
        return Ratio4(scaled: scaled)
    }

    /// A boolean with a default for absent or null.
    mutating func bool(_ field: String, default fallback: Bool) -> Bool {
        guard let value = value(field) else { return fallback }
        guard let flag = value.boolValue else {
            problem(field, "must be true or false, not \(value.kindDescription)")
            return fallback
        }
        return flag
    }

    /// The raw value of a field (marks it known).
    mutating func raw(_ field: String) -> JSONValue? {
        value(field)
    }

    // MARK: finishing

    /// Flags computed fields as problems and returns the unknown ones.
    mutating func finish() -> [String] {
        var unknown: [String] = []
        for (index, member) in object.members.enumerated() where !known[index] {
            let key = member.key
            // A repeated unknown name counts once, at its first occurrence.
            guard !object.members[..<index].contains(where: { $0.key == key }) else { continue }
            if ComputedFields.names.contains(key) {
                problem(key, "is computed by the analytics service and must not be sent")
            } else {
                unknown.append(key)
            }
        }
        return unknown
    }

    /// Merges the problems of a nested reader.
    mutating func absorb(_ nested: FieldReader) {
        problems.append(contentsOf: nested.problems)
    }
}
