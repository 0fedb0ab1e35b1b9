/// Why a message (or one item of a bulk) cannot be applied: parked in `etl_rejects` with its bytes
/// and this reason, then acknowledged. The reason names what is wrong and what to do; never the
/// message's content.
public struct FineractEventFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, e.g. `unknown writer schema fingerprint 0x...: ...`.
    public var reason: String
    /// The writer schema's fingerprint (hex) when that is the problem.
    public var fingerprint: String?
    /// The bytes that could not be read (the whole message, or the bulk item's payload).
    public var bytes: [UInt8]
    /// The event type when the envelope was readable.
    public var type: String?
    /// The loan when known.
    public var loanID: Int64?

    /// Creates a failure.
    public init(reason: String, fingerprint: String? = nil, bytes: [UInt8], type: String? = nil, loanID: Int64? = nil) {
        self.reason = reason
        self.fingerprint = fingerprint
        self.bytes = bytes
        self.type = type
        self.loanID = loanID
    }

    public var description: String { reason }
}
