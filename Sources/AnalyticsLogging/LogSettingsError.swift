/// A `LOG_*` setting with a value that is not allowed; the description names the key and the
/// allowed values.
public struct LogSettingsError: Error, Sendable, CustomStringConvertible {
    /// The environment variable.
    public var key: String
    /// The value found.
    public var value: String
    /// The values accepted.
    public var allowed: [String]

    /// `must be one of ..., got '...'`: the part after the key, for a configuration error line.
    public var message: String { "must be one of \(allowed.joined(separator: ", ")), got '\(value)'" }

    /// `LOG_LEVEL must be one of trace, debug, ..., got 'loud'`.
    public var description: String { "\(key) \(message)" }
}
