/// A PostgreSQL type OID, as reported for each result column.
public struct PostgresDataType: Hashable, Sendable, CustomStringConvertible {
    /// The OID.
    public let oid: UInt32

    /// Creates a type from its OID.
    public init(oid: UInt32) { self.oid = oid }

    public static let bool = PostgresDataType(oid: 16)
    public static let bytea = PostgresDataType(oid: 17)
    public static let char = PostgresDataType(oid: 18)
    public static let name = PostgresDataType(oid: 19)
    public static let int8 = PostgresDataType(oid: 20)
    public static let int2 = PostgresDataType(oid: 21)
    public static let int4 = PostgresDataType(oid: 23)
    public static let text = PostgresDataType(oid: 25)
    public static let oidType = PostgresDataType(oid: 26)
    public static let json = PostgresDataType(oid: 114)
    public static let float4 = PostgresDataType(oid: 700)
    public static let float8 = PostgresDataType(oid: 701)
    public static let unknown = PostgresDataType(oid: 705)
    public static let bpchar = PostgresDataType(oid: 1042)
    public static let varchar = PostgresDataType(oid: 1043)
    public static let date = PostgresDataType(oid: 1082)
    public static let timestamp = PostgresDataType(oid: 1114)
    public static let timestamptz = PostgresDataType(oid: 1184)
    public static let numeric = PostgresDataType(oid: 1700)
    public static let uuid = PostgresDataType(oid: 2950)
    public static let jsonb = PostgresDataType(oid: 3802)
    public static let textArray = PostgresDataType(oid: 1009)

    /// Types whose text form is the value itself.
    public static let textLike: Set<PostgresDataType> = [.text, .varchar, .bpchar, .name, .char, .unknown, .json, .jsonb, .uuid]
    /// Integer types.
    public static let integers: Set<PostgresDataType> = [.int2, .int4, .int8, .oidType]

    public var description: String {
        switch self {
        case .bool: "boolean"
        case .int2: "smallint"
        case .int4: "integer"
        case .int8: "bigint"
        case .text: "text"
        case .varchar: "varchar"
        case .bpchar: "char(n)"
        case .numeric: "numeric"
        case .date: "date"
        case .timestamp: "timestamp"
        case .timestamptz: "timestamptz"
        case .float4: "real"
        case .float8: "double precision"
        case .json: "json"
        case .jsonb: "jsonb"
        case .uuid: "uuid"
        default: "oid \(oid)"
        }
    }
}
