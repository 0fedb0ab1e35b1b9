import AnalyticsCore

/// PostgreSQL's binary COPY format (`COPY ... (FORMAT binary)`): a signature header, then per row
/// an int16 field count and per field an int32 length (-1 for NULL) and the value's binary
/// send/receive form, then an int16 -1 trailer. All integers are big-endian.
///
/// Used where the text form costs too much: whole-book loan streams and state writes, where the
/// server's `numeric_out` / `numeric_in` of millions of values dominated the time.
public enum PostgresBinaryCopy {
    /// `PGCOPY\n\377\r\n\0`, flags 0, header extension length 0.
    public static let header: [UInt8] = [80, 71, 67, 79, 80, 89, 10, 255, 13, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    /// The file trailer: a field count of -1.
    public static let trailer: [UInt8] = [255, 255]
    /// Days from 1970-01-01 (CalendarDate's epoch) to 2000-01-01 (PostgreSQL's).
    static let epochOffsetDays: Int32 = 10_957
}

/// Pulls rows of a `COPY (...) TO STDOUT (FORMAT binary)` one at a time, on the blocking thread.
///
/// After `next()` returns true, read the current row's fields by position with the accessor that
/// matches the column's type; NULL reads as nil. A value of the wrong width throws.
public struct PostgresBinaryCopyReader {
    private let handle: PostgresConnectionHandle
    private var message: [UInt8] = []
    private var offsets: [Int] = []
    private var lengths: [Int] = []
    private var headerSeen = false
    private var finished = false
    /// Rows read so far.
    public private(set) var rowCount = 0

    init(handle: PostgresConnectionHandle) {
        self.handle = handle
        message.reserveCapacity(512)
    }

    /// Moves to the next row; false at the end of the data.
    public mutating func next() throws -> Bool {
        while !finished {
            guard try handle.getCopyRow(into: &message) else {
                finished = true
                return false
            }
            var position = 0
            if !headerSeen {
                let size = PostgresBinaryCopy.header.count
                guard message.count >= size, message[0..<11].elementsEqual(PostgresBinaryCopy.header[0..<11]) else {
                    throw PostgresError(code: .copyFailed, message: "binary COPY: the stream does not start with the PGCOPY signature")
                }
                position = size + Int(readInt32(at: size - 4))
                headerSeen = true
                if position == message.count { continue }
            }
            guard position + 2 <= message.count else { throw malformed("a row without a field count") }
            let count = Int(Int16(bitPattern: UInt16(message[position]) << 8 | UInt16(message[position + 1])))
            position += 2
            if count < 0 {
                // The trailer; the server ends the COPY right after it.
                continue
            }
            offsets.removeAll(keepingCapacity: true)
            lengths.removeAll(keepingCapacity: true)
            for _ in 0..<count {
                guard position + 4 <= message.count else { throw malformed("a field without a length") }
                let length = Int(readInt32(at: position))
                position += 4
                offsets.append(position)
                lengths.append(length)
                if length > 0 { position += length }
                guard position <= message.count else { throw malformed("a field longer than its row") }
            }
            rowCount += 1
            return true
        }
        return false
    }

    /// The number of fields in the current row.
    public var fieldCount: Int { offsets.count }

    /// True when field `index` is NULL.
    public func isNull(_ index: Int) -> Bool { lengths[index] < 0 }

    /// A `text` / `varchar` field.
    public func string(_ index: Int) -> String? {
        let length = lengths[index]
        guard length >= 0 else { return nil }
        let start = offsets[index]
        return message.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[start..<start + length]), as: UTF8.self)
        }
    }

    /// True when `index` holds exactly the bytes of `text` (no String is built).
    public func field(_ index: Int, equals text: [UInt8]) -> Bool {
        let length = lengths[index]
        guard length == text.count else { return false }
        let start = offsets[index]
        return message[start..<start + length].elementsEqual(text)
    }

    /// The raw bytes of field `index` (nil for NULL).
    public func bytes(_ index: Int) -> ArraySlice<UInt8>? {
        let length = lengths[index]
        guard length >= 0 else { return nil }
        return message[offsets[index]..<offsets[index] + length]
    }

    /// An `int2`, `int4` or `int8` field.
    public func int(_ index: Int) throws -> Int? {
        switch lengths[index] {
        case -1: return nil
        case 2: return Int(Int16(bitPattern: UInt16(message[offsets[index]]) << 8 | UInt16(message[offsets[index] + 1])))
        case 4: return Int(readInt32(at: offsets[index]))
        case 8: return Int(readInt64(at: offsets[index]))
        default: throw malformed("field \(index) is not an integer (\(lengths[index]) bytes)")
        }
    }

    /// An `int8` or `timestamptz` field as its raw 64-bit value (microseconds since 2000-01-01 UTC
    /// for a timestamp).
    public func int64(_ index: Int) throws -> Int64? {
        switch lengths[index] {
        case -1: return nil
        case 8: return readInt64(at: offsets[index])
        default: throw malformed("field \(index) is not 8 bytes wide")
        }
    }

    /// A `boolean` field.
    public func bool(_ index: Int) throws -> Bool? {
        switch lengths[index] {
        case -1: return nil
        case 1: return message[offsets[index]] != 0
        default: throw malformed("field \(index) is not a boolean")
        }
    }

    /// A `date` field.
    public func date(_ index: Int) throws -> CalendarDate? {
        switch lengths[index] {
        case -1: return nil
        case 4: return CalendarDate(daysSinceEpoch: readInt32(at: offsets[index]) &+ PostgresBinaryCopy.epochOffsetDays)
        default: throw malformed("field \(index) is not a date")
        }
    }

    /// A `numeric` field with at most two decimals, as money; throws for more decimals, NaN or
    /// an amount beyond Int64 minor units.
    public func money(_ index: Int) throws -> Money? {
        let length = lengths[index]
        guard length >= 0 else { return nil }
        guard length >= 8 else { throw malformed("field \(index) is not a numeric") }
        let start = offsets[index]
        let ndigits = Int(readInt16(at: start))
        let weight = Int(readInt16(at: start + 2))
        let sign = UInt16(bitPattern: readInt16(at: start + 4))
        guard length == 8 + 2 * ndigits, sign == 0 || sign == 0x4000 else {
            throw malformed("field \(index) is not a finite numeric")
        }
        func digit(_ i: Int) -> Int64 { i < ndigits ? Int64(readInt16(at: start + 8 + 2 * i)) : 0 }
        var units: Int64 = 0
        var overflow = false
        // Integer part: positions weight ... 0.
        if weight >= 0 {
            for i in 0...weight {
                let (shifted, o1) = units.multipliedReportingOverflow(by: 10_000)
                let (sum, o2) = shifted.addingReportingOverflow(digit(i))
                units = sum
                overflow = overflow || o1 || o2
            }
        }
        // Hundredths: the first fractional base-10000 digit must be a multiple of 100; later ones 0.
        let firstFraction = weight + 1
        let fraction = firstFraction >= 0 ? digit(firstFraction) : 0
        var exact = fraction % 100 == 0
        var later = max(0, firstFraction + 1)
        while later < ndigits {
            if digit(later) != 0 { exact = false }
            later += 1
        }
        if firstFraction < 0 { for i in 0..<min(ndigits, -firstFraction) where digit(i) != 0 { exact = false } }
        let (scaled, o3) = units.multipliedReportingOverflow(by: 100)
        let (total, o4) = scaled.addingReportingOverflow(fraction / 100)
        guard exact, !(overflow || o3 || o4) else {
            throw malformed("field \(index) is not an amount with at most two decimals")
        }
        return Money(minorUnits: sign == 0x4000 ? -total : total)
    }

    /// Reads and discards the remaining rows, so the connection is ready for the next statement.
    mutating func drain() throws {
        while try next() {}
    }

    private func readInt16(at i: Int) -> Int16 {
        Int16(bitPattern: UInt16(message[i]) << 8 | UInt16(message[i + 1]))
    }

    private func readInt32(at i: Int) -> Int32 {
        var v: UInt32 = 0
        for k in 0..<4 { v = v << 8 | UInt32(message[i + k]) }
        return Int32(bitPattern: v)
    }

    private func readInt64(at i: Int) -> Int64 {
        var v: UInt64 = 0
        for k in 0..<8 { v = v << 8 | UInt64(message[i + k]) }
        return Int64(bitPattern: v)
    }

    private func malformed(_ what: String) -> PostgresError {
        PostgresError(code: .copyFailed, message: "binary COPY row \(rowCount + 1): \(what)")
    }
}

/// Appends rows in binary COPY format to a byte buffer (`PostgresCopyInWriter.appendBinary`).
/// Write exactly the declared number of fields per row, in the COPY statement's column order.
public struct PostgresBinaryRowEncoder {
    @usableFromInline var buffer: [UInt8]

    init(buffer: [UInt8]) { self.buffer = buffer }

    /// An encoder of its own (for hashing or checking a row's bytes).
    public init() { buffer = [] }

    /// The bytes written so far.
    public var bytes: [UInt8] { buffer }

    /// Forgets the bytes written, keeping the capacity.
    public mutating func reset() { buffer.removeAll(keepingCapacity: true) }

    /// Starts a row of `fields` fields.
    public mutating func row(fields: Int) { int16(Int16(fields)) }

    public mutating func null() { int32(-1) }

    public mutating func int32(value: Int32?) {
        guard let value else { return null() }
        int32(4)
        int32(value)
    }

    public mutating func int64(value: Int64?) {
        guard let value else { return null() }
        int32(8)
        int64(value)
    }

    public mutating func bool(_ value: Bool?) {
        guard let value else { return null() }
        int32(1)
        buffer.append(value ? 1 : 0)
    }

    public mutating func date(_ value: CalendarDate?) {
        guard let value else { return null() }
        int32(4)
        int32(value.daysSinceEpoch &- PostgresBinaryCopy.epochOffsetDays)
    }

    public mutating func text(_ value: String?) {
        guard var text = value else { return null() }
        text.withUTF8 { utf8 in
            int32(Int32(utf8.count))
            buffer.append(contentsOf: utf8)
        }
    }

    /// Money as a `numeric` with two decimals.
    public mutating func money(_ value: Money?) {
        guard let value else { return null() }
        let negative = value.minorUnits < 0
        let units = value.minorUnits.magnitude
        let integer = units / 100
        let cents = UInt16(units % 100)
        var integerGroups = 0
        var rest = integer
        while rest > 0 {
            integerGroups += 1
            rest /= 10_000
        }
        let ndigits = integerGroups + (cents == 0 ? 0 : 1)
        let weight = integerGroups == 0 ? (cents == 0 ? 0 : -1) : integerGroups - 1
        int32(Int32(8 + 2 * ndigits))
        int16(Int16(ndigits))
        int16(Int16(weight))
        int16(negative && units != 0 ? 0x4000 : 0)
        int16(2)
        // Base-10000 groups, most significant first (integer groups' trailing zeros may stay:
        // the server normalises on receive), then the hundredths as the first fractional group.
        var divisor: UInt64 = 1
        for _ in 1..<max(integerGroups, 1) { divisor *= 10_000 }
        for _ in 0..<integerGroups {
            int16(Int16(integer / divisor % 10_000))
            divisor /= 10_000
        }
        if cents != 0 { int16(Int16(cents * 100)) }
    }

    @usableFromInline mutating func int16(_ v: Int16) {
        let u = UInt16(bitPattern: v)
        buffer.append(UInt8(u >> 8))
        buffer.append(UInt8(u & 0xFF))
    }

    @usableFromInline mutating func int32(_ v: Int32) {
        let u = UInt32(bitPattern: v)
        buffer.append(UInt8(u >> 24))
        buffer.append(UInt8(u >> 16 & 0xFF))
        buffer.append(UInt8(u >> 8 & 0xFF))
        buffer.append(UInt8(u & 0xFF))
    }

    @usableFromInline mutating func int64(_ v: Int64) {
        let u = UInt64(bitPattern: v)
        for shift in stride(from: 56, through: 0, by: -8) { buffer.append(UInt8(u >> UInt64(shift) & 0xFF)) }
    }
}
