/// What the broker answered in CONNECTED, and the heart-beats both sides agreed.
public struct StompSession: Sendable, Hashable {
    /// The broker's `server` header (e.g. `ActiveMQ/5.17.2`), if sent.
    public var server: String?
    /// The broker's `session` header, if sent.
    public var id: String?
    /// The broker's `heart-beat` header.
    public var brokerHeartBeat: StompHeartBeat
    /// How often we send a heart-beat; nil: never.
    public var sendInterval: Duration?
    /// How often the broker promised to send; nil: never (then a dead broker is noticed only
    /// when TCP notices).
    public var expectInterval: Duration?
}
