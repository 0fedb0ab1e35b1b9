/// The band of an officer's risk score (METRICS 5).
public enum RiskBand: String, CaseIterable, Hashable, Sendable {
    /// 80 and above.
    case green = "Green"
    /// 60 to 79.
    case watch = "Watch"
    /// 40 to 59.
    case amber = "Amber"
    /// Below 40.
    case red = "Red"

    /// The band of a risk score.
    public init(riskScore: Int) {
        switch riskScore {
        case 80...: self = .green
        case 60...: self = .watch
        case 40...: self = .amber
        default: self = .red
        }
    }
}
