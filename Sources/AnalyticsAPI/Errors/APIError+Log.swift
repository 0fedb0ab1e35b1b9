import AnalyticsStore

extension APIError {
    /// What the request log line says about an error that became a 500 or 503.
    ///
    /// Never `String(reflecting:)`: a `PostgresError`'s detail and a server message can quote the
    /// failing row (customer names, phone numbers). A `PostgresError` is named by its code, SQLSTATE
    /// and statement (`PostgresError.logSummary`); an error of this project's modules by its
    /// `description`, which the house rules keep free of data; any other error by its type only.
    static func logSummary(of error: any Error) -> String {
        switch error {
        case let error as PostgresError:
            return error.logSummary
        case let error as APIError:
            return error.description
        default:
            let type = String(reflecting: Swift.type(of: error))
            let ours = ["AnalyticsAPI.", "AnalyticsStore.", "AnalyticsCore."].contains { type.hasPrefix($0) }
            return ours ? "\(type): \(error)" : type
        }
    }
}
