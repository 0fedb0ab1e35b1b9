import Glibc

/// The wall-clock time of a log line as ISO 8601 UTC with microseconds
/// (`2024-06-15T08:30:00.123456Z`), formatted by hand from `clock_gettime`: no formatter object,
/// no locale, no allocation beyond the bytes appended.
enum LogTimestamp {
    /// The current time.
    static func now() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return format(seconds: now.tv_sec, nanoseconds: now.tv_nsec)
    }

    /// The UTC time `seconds` (since 1970) plus `nanoseconds`, truncated to microseconds.
    static func format(seconds: Int, nanoseconds: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(27)
        append(seconds: seconds, nanoseconds: nanoseconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func append(seconds: Int, nanoseconds: Int, to out: inout [UInt8]) {
        var time = seconds
        var parts = tm()
        gmtime_r(&time, &parts)
        digits(Int(parts.tm_year) + 1900, 4, &out)
        out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2, &out)
        out.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2, &out)
        out.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2, &out)
        out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2, &out)
        out.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2, &out)
        out.append(UInt8(ascii: "."))
        digits(nanoseconds / 1000, 6, &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// Appends `value` as exactly `width` decimal digits (zero-padded; `value` must fit).
    private static func digits(_ value: Int, _ width: Int, _ out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }
}
