// Hand-written (see AvroSchema.swift).

/// The logical types this decoder knows. Unknown or invalid logical types are ignored when parsing
/// (the specification requires readers to fall back to the underlying type).
public enum AvroLogicalType: Hashable, Sendable {
    /// `decimal` over bytes or fixed: a two's-complement big-endian unscaled integer × 10^-scale.
    case decimal(precision: Int, scale: Int)
    /// `date` over int: days since 1970-01-01.
    case date
    /// `time-millis` over int: milliseconds after midnight.
    case timeMillis
    /// `time-micros` over long: microseconds after midnight.
    case timeMicros
    /// `timestamp-millis` over long: milliseconds since 1970-01-01T00:00:00Z.
    case timestampMillis
    /// `timestamp-micros` over long: microseconds since 1970-01-01T00:00:00Z.
    case timestampMicros
    /// `local-timestamp-millis` over long: milliseconds since 1970-01-01T00:00:00, no time zone.
    case localTimestampMillis
    /// `local-timestamp-micros` over long: microseconds since 1970-01-01T00:00:00, no time zone.
    case localTimestampMicros
    /// `uuid` over string (RFC 4122 text) or fixed(16).
    case uuid
}
