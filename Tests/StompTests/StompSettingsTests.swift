import Testing

@testable import Stomp

/// The broker URL, heart-beat negotiation, the reconnect backoff and what errors may say.
@Suite struct StompSettingsTests {
    @Test func brokerURLs() throws {
        let plain = try StompConfiguration(url: "stomp://mq.internal:61614")
        #expect(plain.host == "mq.internal" && plain.port == 61614 && plain.virtualHost == "mq.internal")
        let defaultPort = try StompConfiguration(url: "stomp://mq/")
        #expect(defaultPort.port == 61613)
        let ipv6 = try StompConfiguration(url: "stomp://[::1]:7000")
        #expect(ipv6.host == "::1" && ipv6.port == 7000)
        for bad in ["http://mq:61613", "stomp://", "stomp://mq:0", "stomp://mq:http", "stomp://mq:61613/queue", "mq:61613"] {
            #expect(throws: StompError.self, "\(bad)") { _ = try StompConfiguration(url: bad) }
        }
    }

    @Test func credentialsInTheURLAreRefusedWithoutBeingRepeated() throws {
        do {
            _ = try StompConfiguration(url: "stomp://fineract:Sup3rSecret@mq:61613")
            Issue.record("a URL with credentials was accepted")
        } catch {
            #expect(error.code == .configuration)
            #expect(!error.description.contains("Sup3rSecret") && !error.debugDescription.contains("Sup3rSecret"))
        }
    }

    @Test func theConnectFrameCarriesVersionHostCredentialsAndHeartBeats() {
        var configuration = StompConfiguration(host: "mq", port: 61613, login: "fineract", passcode: "pw")
        configuration.heartBeat = StompHeartBeat(send: .milliseconds(1500), receive: .seconds(2))
        let frame = configuration.connectFrame
        #expect(frame.command == .connect)
        #expect(frame.headers["accept-version"] == "1.2")
        #expect(frame.headers["host"] == "mq")
        #expect(frame.headers["login"] == "fineract" && frame.headers["passcode"] == "pw")
        #expect(frame.headers["heart-beat"] == "1500,2000")
        let anonymous = StompConfiguration(host: "mq").connectFrame
        #expect(anonymous.headers["login"] == nil && anonymous.headers["passcode"] == nil)
    }

    @Test func heartBeatNegotiation() {
        func hb(_ send: Int64, _ receive: Int64) -> StompHeartBeat { StompHeartBeat(send: .milliseconds(send), receive: .milliseconds(receive)) }
        // Each side's interval is the larger of what one offers and the other wants.
        let agreed = StompHeartBeat.negotiate(client: hb(1000, 2000), server: hb(5000, 500))
        #expect(agreed.send == .milliseconds(1000))
        #expect(agreed.expect == .milliseconds(5000))
        // Zero on either side turns a direction off.
        let noSend = StompHeartBeat.negotiate(client: hb(0, 2000), server: hb(5000, 500))
        #expect(noSend.send == nil && noSend.expect == .milliseconds(5000))
        let noReceive = StompHeartBeat.negotiate(client: hb(1000, 2000), server: hb(0, 0))
        #expect(noReceive.send == nil && noReceive.expect == nil)
        #expect(StompHeartBeat(headerValue: "10000, 0") == hb(10000, 0))
        #expect(StompHeartBeat(headerValue: "x,1") == nil)
        #expect(StompHeartBeat(headerValue: "-1,1") == nil)
        #expect(StompHeartBeat(headerValue: "1") == nil)
    }

    @Test func backoffGrowsIsCappedAndJittered() {
        let policy = StompReconnectPolicy(initialDelay: .milliseconds(100), maxDelay: .seconds(2), multiplier: 2)
        var generator = SystemRandomNumberGenerator()
        for failures in 1...12 {
            let ceiling = min(0.1 * Double(1 << (failures - 1)), 2.0)
            var seen = Set<Duration>()
            for _ in 0..<50 {
                let delay = policy.delay(afterFailures: failures, using: &generator)
                #expect(delay >= .nanoseconds(Int64(ceiling / 2 * 1e9)) - .microseconds(1))
                #expect(delay <= .nanoseconds(Int64(ceiling * 1e9)) + .microseconds(1))
                seen.insert(delay)
            }
            #expect(seen.count > 1, "no jitter after \(failures) failures")
        }
    }

    @Test func aBrokerMessageNeverCarriesTheCredentials() {
        let error = StompError.broker(message: "User name [fineract] or password [hunter2] is invalid.", redacting: ["fineract", "hunter2"])
        #expect(error.code == .broker)
        #expect(!error.description.contains("hunter2") && !error.description.contains("fineract"))
        #expect(error.description.contains("is invalid"))
    }
}
