// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// No `platforms:` entry: the code is built and tested on Linux only. AnalyticsStore and
// AnalyticsLogging import Glibc (socket timeouts, SIGPIPE, clock_gettime/gmtime_r, write(2)) and
// the benchmarks read /proc, so a macOS line would promise a build nobody runs.
let package = Package(
    name: "loan-analytics",
    products: [
        .executable(name: "analytics-api", targets: ["AnalyticsAPI"]),
        .executable(name: "metrics-worker", targets: ["MetricsWorker"]),
        .executable(name: "engine-bench", targets: ["EngineBench"]),
        .executable(name: "fineract-events-bench", targets: ["FineractEventsBench"]),
        .library(name: "AnalyticsCore", targets: ["AnalyticsCore"]),
        .library(name: "AnalyticsStore", targets: ["AnalyticsStore"]),
        .library(name: "FineractEvents", targets: ["FineractEvents"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "4.1.0"..<"6.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CPostgres",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CRedis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .target(
            name: "AnalyticsCore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FineractEvents",
            dependencies: ["AnalyticsCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AnalyticsStore",
            dependencies: [
                "AnalyticsCore",
                "CPostgres",
                "CRedis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // STOMP 1.2 over SwiftNIO (hand-written codec, connection, consumer with reconnect): the
        // transport of Fineract's external events (ActiveMQ).
        .target(
            name: "Stomp",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AnalyticsLogging",
            dependencies: [
                "AnalyticsCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AnalyticsAPI",
            dependencies: [
                "AnalyticsCore",
                "AnalyticsLogging",
                "AnalyticsStore",
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "MetricsWorker",
            dependencies: [
                "AnalyticsCore",
                "AnalyticsLogging",
                "AnalyticsStore",
                "FineractEvents",
                "Stomp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "EngineBench",
            dependencies: ["AnalyticsCore"],
            path: "bench/EngineBench",
            swiftSettings: swiftSettings
        ),
        // Plays Fineract's external-event producer for scripts/bench-events.sh.
        .executableTarget(
            name: "FineractEventsBench",
            dependencies: [
                "AnalyticsCore", "FineractEvents", "Stomp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/FineractEventsBench",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AnalyticsTestSupport",
            dependencies: ["AnalyticsCore", "AnalyticsStore"],
            path: "Tests/Support",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AnalyticsCoreTests",
            dependencies: ["AnalyticsCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FineractEventsTests",
            dependencies: ["AnalyticsCore", "AnalyticsTestSupport", "FineractEvents"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AnalyticsStoreTests",
            dependencies: ["AnalyticsCore", "AnalyticsStore", "AnalyticsTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AnalyticsAPITests",
            dependencies: [
                "AnalyticsAPI", "AnalyticsCore", "AnalyticsLogging", "AnalyticsStore", "AnalyticsTestSupport",
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StompTests",
            dependencies: [
                "AnalyticsTestSupport", "Stomp",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MetricsWorkerTests",
            dependencies: [
                "AnalyticsCore", "AnalyticsLogging", "AnalyticsStore", "AnalyticsTestSupport", "FineractEvents", "MetricsWorker", "Stomp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
