import AnalyticsCore

/// What a message's events need from our database, read before it is mapped: the loans we hold,
/// their last applied snapshot (message id), the stored phones of the officers and clients they
/// name (master data comes from the pull; the events carry names only), and the replay chains of
/// the transactions they name.
public struct FineractEventContext: Sendable {
    public var held: Set<String> = []
    public var snapshots: [String: Int64] = [:]
    public var officerPhones: [String: String] = [:]
    public var customerPhones: [String: String] = [:]
    public var chains: [Int64: FineractMapping.ChainRoot] = [:]

    /// An empty context (nothing held).
    public init() {}
}
