import AnalyticsCore

/// The demo portfolio's choices, drawn from a seeded SplitMix64: the same seed gives the same
/// portfolio on every machine.
struct DemoRandom {
    private var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// A whole number in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &generator) < p }

    /// One of `items` (not empty).
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
}
