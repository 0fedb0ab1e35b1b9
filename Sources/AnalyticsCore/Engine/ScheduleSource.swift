/// Where a loan's schedule came from (`schedule_source` in the engine output).
public enum ScheduleSource: String, Hashable, Sendable {
    /// Sent by the source with the loan record.
    case given
    /// Generated from the loan's terms (METRICS 2).
    case generated
}
