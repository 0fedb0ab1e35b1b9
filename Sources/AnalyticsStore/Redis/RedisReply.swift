/// A Redis reply, copied out of hiredis' reply object.
public enum RedisReply: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    case null
    case array([RedisReply])

    /// The reply as text (bulk or status), or nil.
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let s): s
        default: nil
        }
    }

    /// The reply as an integer, or nil.
    public var integer: Int64? {
        if case .integer(let v) = self { return v }
        return nil
    }
}
