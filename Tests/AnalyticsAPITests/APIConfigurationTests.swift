@testable import AnalyticsAPI
import AnalyticsLogging
import Logging
import Testing

/// The API's settings: the `LOG_*` keys it shares with the worker through `LogSettings`.
@Suite("API configuration")
struct APIConfigurationTests {
    static let base = ["DATABASE_URL": "postgres://u@127.0.0.1/d", "JWT_SECRET": String(repeating: "s", count: 32)]

    @Test("LOG_LEVEL and LOG_FORMAT default to info and json; a bad value stops start-up naming the key and the allowed values")
    func logSettings() throws {
        #expect(try APIConfiguration(environment: Self.base).log == LogSettings(level: .info, format: .json))
        #expect(try APIConfiguration(environment: Self.base.merging(["LOG_LEVEL": "debug", "LOG_FORMAT": "text"]) { $1 }).log
                == LogSettings(level: .debug, format: .text))
        for (key, value, allowed) in [("LOG_LEVEL", "loud", "trace, debug, info, notice, warning, error, critical"),
                                      ("LOG_FORMAT", "xml", "json, text")] {
            do {
                _ = try APIConfiguration(environment: Self.base.merging([key: value]) { $1 })
                Issue.record("\(key)=\(value) accepted")
            } catch {
                #expect(error.key == key)
                #expect(error.description == "configuration error: \(key) must be one of \(allowed), got '\(value)'")
            }
        }
    }
}
