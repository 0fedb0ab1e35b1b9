/// The officer detail trend against the previous period (METRICS 7).
public enum Trend: String, Hashable, Sendable {
    /// Risk score rose by 3 points or more.
    case improving
    /// Risk score fell by 3 points or more.
    case declining
    /// Anything else, including no previous row.
    case stable

    /// The trend from the current risk score and the previous one (nil when there is none).
    public init(currentRiskScore: Int, previousRiskScore: Int?) {
        guard let previous = previousRiskScore else {
            self = .stable
            return
        }
        let change = currentRiskScore - previous
        self = change >= 3 ? .improving : (change <= -3 ? .declining : .stable)
    }

    /// The trend of `current` against `previous`.
    public init(current: OfficerMetricsRow, previous: OfficerMetricsRow?) {
        self.init(currentRiskScore: current.riskScore, previousRiskScore: previous?.riskScore)
    }

    /// The `previous` row: the officer's row at the latest calculation date on or before D-7,
    /// from a history of the officer's rows (any order).
    public static func previousRow(in history: [OfficerMetricsRow], asOf: CalendarDate) -> OfficerMetricsRow? {
        let limit = asOf - 7
        return history
            .filter { $0.calculationDate <= limit }
            .max { $0.calculationDate < $1.calculationDate }
    }
}
