import Foundation

/// Text conversions of `timestamp` / `timestamptz` values. Sessions run with `TimeZone=UTC` and
/// `DateStyle=ISO`, so the server always writes `YYYY-MM-DD HH:MM:SS[.ffffff][+00]`.
enum PostgresTimestamp {
    static func format(_ date: Date) -> String {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let totalSeconds = Int64((micros / 1_000_000).rounded(.down))
        let fraction = Int64(micros) - totalSeconds * 1_000_000
        let days = Int(totalSeconds >= 0 ? totalSeconds / 86_400 : (totalSeconds - 86_399) / 86_400)
        let secondOfDay = Int(totalSeconds - Int64(days) * 86_400)
        let dateText = AnalyticsCoreBridge.isoDate(daysSinceEpoch: days)
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(dateText) \(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(Int(fraction), 6))+00"
    }

    /// Parses the server's text; nil when it is not a finite timestamp.
    static func parse(_ text: String) -> Date? {
        let u = Array(text.utf8)
        guard u.count >= 19, u[10] == UInt8(ascii: " ") || u[10] == UInt8(ascii: "T") else { return nil }
        guard let day = AnalyticsCoreBridge.daysSinceEpoch(iso: String(decoding: u[0..<10], as: UTF8.self)) else { return nil }
        func number(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard u[i] >= 48, u[i] <= 57 else { return nil }
                v = v * 10 + Int(u[i] - 48)
            }
            return v
        }
        guard u[13] == UInt8(ascii: ":"), u[16] == UInt8(ascii: ":"),
              let h = number(11..<13), let m = number(14..<16), let s = number(17..<19) else { return nil }
        var i = 19
        var micros = 0
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < u.count, u[i] >= 48, u[i] <= 57 {
                if digits < 6 { micros = micros * 10 + Int(u[i] - 48); digits += 1 }
                i += 1
            }
            while digits < 6 { micros *= 10; digits += 1 }
        }
        var offsetSeconds = 0
        if i < u.count {
            guard u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "Z") else { return nil }
            if u[i] != UInt8(ascii: "Z") {
                let sign = u[i] == UInt8(ascii: "-") ? -1 : 1
                guard i + 3 <= u.count, let oh = number(i + 1..<i + 3) else { return nil }
                var om = 0
                var j = i + 3
                if j < u.count, u[j] == UInt8(ascii: ":") { j += 1 }
                if j + 2 <= u.count, let v = number(j..<j + 2) { om = v }
                offsetSeconds = sign * (oh * 3600 + om * 60)
            }
        }
        let seconds = Double(day) * 86_400 + Double(h * 3600 + m * 60 + s - offsetSeconds)
        return Date(timeIntervalSince1970: seconds + Double(micros) / 1_000_000)
    }
}
