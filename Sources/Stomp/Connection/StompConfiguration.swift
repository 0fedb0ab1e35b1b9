/// Where and how to connect to a STOMP 1.2 broker.
///
/// Built from a URL of the form `stomp://host:port` (port 61613 when omitted); credentials are
/// separate fields, never part of the URL, and are sent only in the CONNECT frame: no log line or
/// error carries them.
public struct StompConfiguration: Sendable {
    /// The broker's host name or address.
    public var host: String
    /// The broker's STOMP port.
    public var port: Int
    /// The `host` header of CONNECT (the broker's virtual host). Default: `host`.
    public var virtualHost: String
    /// The login, sent as `login` when set.
    public var login: String?
    /// The passcode, sent as `passcode` when set.
    public var passcode: String?
    /// The heart-beats we offer: how often we can send, and how often we want to hear from the
    /// broker. Default 10 s each; zero turns that direction off.
    public var heartBeat: StompHeartBeat
    /// How much later than the negotiated interval the broker's next byte may arrive before the
    /// connection is declared dead, as a multiple of that interval. Default 3: ActiveMQ checks
    /// every interval whether it wrote anything since the last check, so its heart-beats can be
    /// almost two intervals apart.
    public var heartBeatTolerance: Double
    /// The TCP connect timeout and the time the broker has to answer CONNECT. Default 10 s.
    public var connectTimeout: Duration
    /// How long to wait for a RECEIPT (a SEND with a receipt, DISCONNECT). Default 30 s.
    public var receiptTimeout: Duration
    /// Size bounds on frames from the broker.
    public var limits: StompFrameLimits

    /// A configuration for `host:port`.
    public init(host: String, port: Int = 61613, login: String? = nil, passcode: String? = nil) {
        self.host = host
        self.port = port
        self.virtualHost = host
        self.login = login
        self.passcode = passcode
        self.heartBeat = StompHeartBeat(send: .seconds(10), receive: .seconds(10))
        self.heartBeatTolerance = 3
        self.connectTimeout = .seconds(10)
        self.receiptTimeout = .seconds(30)
        self.limits = StompFrameLimits()
    }

    /// A configuration from a `stomp://host:port` URL (a trailing `/` is allowed; IPv6 hosts in
    /// brackets). Throws `configuration` for another scheme, a missing host, a bad port, or
    /// credentials in the URL (they belong in `login`/`passcode`). The error never repeats the URL.
    public init(url: String, login: String? = nil, passcode: String? = nil) throws(StompError) {
        let prefix = "stomp://"
        guard url.lowercased().hasPrefix(prefix) else {
            throw StompError.configuration("the broker URL must start with stomp:// (stomp://host:port)")
        }
        var rest = Substring(url.dropFirst(prefix.count))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("@") else {
            throw StompError.configuration("the broker URL must not hold credentials: give the user and password as separate settings")
        }
        guard !rest.contains("/"), !rest.contains("?") else {
            throw StompError.configuration("the broker URL must be stomp://host:port, without a path or query")
        }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw StompError.configuration("the broker URL has an unclosed [ in its host") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw StompError.configuration("the broker URL must be stomp://host:port") }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw StompError.configuration("the broker URL has no host (stomp://host:port)") }
        var port = 61613
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw StompError.configuration("the broker URL's port must be a number from 1 to 65535")
            }
            port = value
        }
        self.init(host: String(host), port: port, login: login, passcode: passcode)
    }

    /// The CONNECT frame for this configuration.
    var connectFrame: StompFrame {
        var headers: StompHeaders = ["accept-version": "1.2", "host": virtualHost]
        if let login { headers.append("login", login) }
        if let passcode { headers.append("passcode", passcode) }
        headers.append("heart-beat", heartBeat.headerValue)
        return StompFrame(.connect, headers: headers)
    }

    /// The secrets to mask in anything the broker says back.
    var secrets: [String] { [login, passcode].compactMap { $0 } }
}
