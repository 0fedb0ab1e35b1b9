import AnalyticsCore
import ArgumentParser

/// `--as-of` parses `YYYY-MM-DD` with `CalendarDate(iso:)`. Both modules belong to this package,
/// so the conformance is not retroactive: AnalyticsCore never imports ArgumentParser.
extension CalendarDate: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(iso: argument)
    }
}
