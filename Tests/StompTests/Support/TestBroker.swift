import AnalyticsTestSupport
import Foundation
import Logging
import NIOCore
import Stomp

/// The shared broker of the test run, unique queue names, and the publisher and checks the
/// broker tests share.
enum TestBroker {
    /// The configuration for the test run's broker (`ACTIVEMQ_STOMP_URL`), or for `url`.
    static func configuration(url: String? = nil) throws -> StompConfiguration {
        var configuration = try StompConfiguration(url: url ?? TestEnvironment.activeMQStompURL())
        // Deadlines for a hung broker, not budgets: the full run keeps both cores busy, and a
        // starved broker JVM can fall seconds behind with its heart-beats. The heart-beat tests
        // set short intervals of their own.
        configuration.heartBeat = StompHeartBeat(send: .seconds(5), receive: .seconds(5))
        configuration.connectTimeout = .seconds(60)
        configuration.receiptTimeout = .seconds(60)
        return configuration
    }

    /// A queue name no other test uses.
    static func uniqueQueue(_ purpose: String) -> String {
        "test-\(purpose)-\(UInt64.random(in: 0...UInt64.max))"
    }

    /// A logger that prints warnings and errors only.
    static var logger: Logger {
        var logger = Logger(label: "stomp-test")
        logger.logLevel = .warning
        return logger
    }

    /// Binary message `index`: its index in 8 bytes, then bytes that include NULs and every byte
    /// value, of a length that varies with the index.
    static func body(_ index: Int) -> [UInt8] {
        var bytes = withUnsafeBytes(of: UInt64(index).bigEndian) { Array($0) }
        let length = 1 + (index * 37) % 700
        bytes += (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }
        bytes += [0, 0, 10, 0]
        return bytes
    }

    /// The index a `body(_:)` starts with.
    static func index(of body: [UInt8]) -> Int {
        Int(body.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    /// Sends `indices` as `body(_:)` to `queue` (persistent), on one connection; the last SEND
    /// waits for its RECEIPT, which confirms all of them (the broker handles a connection's
    /// frames in order).
    static func publish(_ indices: some Collection<Int>, to queue: String, url: String? = nil) async throws {
        try await StompConnection.connect(configuration: configuration(url: url), logger: logger) { connection in
            var remaining = indices.count
            for index in indices {
                remaining -= 1
                try await connection.send(to: "/queue/\(queue)", bytes: body(index), headers: ["seq": String(index)],
                                          receipt: remaining == 0)
            }
        }
    }

    /// Whether `queue` holds no message: a sentinel sent now must be the first message a new
    /// subscription gets (anything left over would come before it). Acknowledges the sentinel.
    static func isEmpty(_ queue: String, url: String? = nil) async throws -> Bool {
        try await StompConnection.connect(configuration: configuration(url: url), logger: logger) { connection in
            let subscription = try await connection.subscribe(to: "/queue/\(queue)", prefetch: 1)
            try await connection.send(to: "/queue/\(queue)", bytes: Array("sentinel".utf8), headers: ["sentinel": "yes"])
            var iterator = subscription.makeAsyncIterator()
            guard let first = try await iterator.next() else { return false }
            try await connection.acknowledge(first, receipt: true)
            return first.headers["sentinel"] == "yes"
        }
    }
}
