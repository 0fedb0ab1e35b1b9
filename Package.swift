// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "loan-analytics",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "analytics-api", targets: ["AnalyticsAPI"]),
        .executable(name: "metrics-worker", targets: ["MetricsWorker"]),
        .executable(name: "engine-bench", targets: ["EngineBench"]),
        .library(name: "AnalyticsCore", targets: ["AnalyticsCore"]),
        .library(name: "AnalyticsStore", targets: ["AnalyticsStore"]),
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
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
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
        .executableTarget(
            name: "AnalyticsAPI",
            dependencies: [
                "AnalyticsCore",
                "AnalyticsStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "MetricsWorker",
            dependencies: [
                "AnalyticsCore",
                "AnalyticsStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "EngineBench",
            dependencies: ["AnalyticsCore"],
            path: "bench/EngineBench",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AnalyticsTestSupport",
            dependencies: ["AnalyticsStore"],
            path: "Tests/Support",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AnalyticsCoreTests",
            dependencies: ["AnalyticsCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AnalyticsStoreTests",
            dependencies: ["AnalyticsStore", "AnalyticsCore", "AnalyticsTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AnalyticsAPITests",
            dependencies: [
                "AnalyticsAPI", "AnalyticsStore", "AnalyticsTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MetricsWorkerTests",
            dependencies: ["MetricsWorker", "AnalyticsStore", "AnalyticsTestSupport"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
