/// Settings that change how scores are computed.
public struct MetricsOptions: Hashable, Sendable {
    /// `DQI_CHANNEL_PURITY`: when true (the default) DQI is multiplied by the channel purity
    /// (null purity counting as 1); when false the factor is 1.
    public var dqiUsesChannelPurity: Bool

    /// Creates options; the defaults are the service's defaults.
    public init(dqiUsesChannelPurity: Bool = true) {
        self.dqiUsesChannelPurity = dqiUsesChannelPurity
    }
}
