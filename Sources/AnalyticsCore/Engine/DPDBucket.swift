/// The days-past-due bucket of a loan (METRICS 3).
public enum DPDBucket: String, CaseIterable, Hashable, Sendable {
    /// Current: 0 days past due.
    case current = "0"
    /// 1 to 6 days.
    case days1to6 = "1-6"
    /// 7 to 30 days.
    case days7to30 = "7-30"
    /// 31 to 60 days.
    case days31to60 = "31-60"
    /// 61 to 90 days.
    case days61to90 = "61-90"
    /// 91 days or more.
    case days90plus = "90+"

    /// The bucket of a DPD value (negative values count as current).
    @inlinable
    public init(dpd: Int) {
        switch dpd {
        case ...0: self = .current
        case 1...6: self = .days1to6
        case 7...30: self = .days7to30
        case 31...60: self = .days31to60
        case 61...90: self = .days61to90
        default: self = .days90plus
        }
    }
}
