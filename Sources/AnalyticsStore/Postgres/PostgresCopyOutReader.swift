import AnalyticsCore

/// Pulls rows of a `COPY ... TO STDOUT` (text format) one at a time, on the blocking thread.
///
/// After `next()` returns true, read the current row's fields by position. Fields are unescaped
/// lazily; NULL (`\N`) reads as nil.
public struct PostgresCopyOutReader {
    private let handle: PostgresConnectionHandle
    private var line: [UInt8] = []
    private var bounds: [Range<Int>] = []
    private var finished = false
    /// Rows read so far.
    public private(set) var rowCount = 0

    init(handle: PostgresConnectionHandle) {
        self.handle = handle
        line.reserveCapacity(1024)
    }

    /// Moves to the next row; false at the end of the data.
    public mutating func next() throws -> Bool {
        guard !finished else { return false }
        guard try handle.getCopyRow(into: &line) else {
            finished = true
            return false
        }
        if line.last == 10 { line.removeLast() }
        bounds.removeAll(keepingCapacity: true)
        var start = 0
        for i in line.indices where line[i] == 9 {
            bounds.append(start..<i)
            start = i + 1
        }
        bounds.append(start..<line.count)
        rowCount += 1
        return true
    }

    /// The number of fields in the current row.
    public var fieldCount: Int { bounds.count }

    /// True when field `index` is NULL.
    public func isNull(_ index: Int) -> Bool {
        let r = bounds[index]
        return r.count == 2 && line[r.lowerBound] == 92 && line[r.lowerBound + 1] == 78
    }

    /// Field `index` as text, unescaped; nil for NULL.
    public func string(_ index: Int) -> String? {
        if isNull(index) { return nil }
        let r = bounds[index]
        if !line[r].contains(92) { return String(decoding: line[r], as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(r.count)
        var i = r.lowerBound
        while i < r.upperBound {
            let byte = line[i]
            if byte == 92, i + 1 < r.upperBound {
                let next = line[i + 1]
                switch next {
                case 116: out.append(9)
                case 110: out.append(10)
                case 114: out.append(13)
                case 98: out.append(8)
                case 102: out.append(12)
                case 118: out.append(11)
                default: out.append(next)
                }
                i += 2
            } else {
                out.append(byte)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Field `index` as an integer (nil for NULL or non-integer text).
    public func int(_ index: Int) -> Int? {
        if isNull(index) { return nil }
        var value = 0
        var negative = false
        var sawDigit = false
        for (n, byte) in line[bounds[index]].enumerated() {
            if n == 0, byte == 45 { negative = true; continue }
            guard byte >= 48, byte <= 57 else { return nil }
            value = value &* 10 &+ Int(byte - 48)
            sawDigit = true
        }
        guard sawDigit else { return nil }
        return negative ? -value : value
    }

    /// Field `index` as money from a numeric with at most two decimals (nil for NULL or malformed).
    public func money(_ index: Int) -> Money? {
        if isNull(index) { return nil }
        var units: Int64 = 0
        var negative = false
        var fractionDigits = -1
        for (n, byte) in line[bounds[index]].enumerated() {
            if n == 0, byte == 45 { negative = true; continue }
            if byte == 46 {
                guard fractionDigits < 0 else { return nil }
                fractionDigits = 0
                continue
            }
            guard byte >= 48, byte <= 57 else { return nil }
            if fractionDigits >= 0 {
                fractionDigits += 1
                if fractionDigits > 2 {
                    guard byte == 48 else { return nil }
                    continue
                }
            }
            units = units &* 10 &+ Int64(byte - 48)
        }
        let scale = fractionDigits < 0 ? 2 : max(0, 2 - fractionDigits)
        for _ in 0..<scale { units &*= 10 }
        return Money(minorUnits: negative ? -units : units)
    }

    /// Field `index` as a date (`YYYY-MM-DD`; nil for NULL or malformed).
    public func date(_ index: Int) -> CalendarDate? {
        if isNull(index) { return nil }
        return CalendarDate(iso: String(decoding: line[bounds[index]], as: UTF8.self))
    }

    /// Field `index` as a boolean (`t`/`f`; nil for NULL or anything else).
    public func bool(_ index: Int) -> Bool? {
        let r = bounds[index]
        guard r.count == 1 else { return nil }
        switch line[r.lowerBound] {
        case 116: return true
        case 102: return false
        default: return nil
        }
    }

    /// Reads and discards the remaining rows, so the connection is ready for the next statement.
    mutating func drain() throws {
        while try next() {}
    }
}
