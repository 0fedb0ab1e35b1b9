import Foundation

/// Command-line options of engine-bench.
struct BenchOptions {
    var loans = 1_000_000
    var officers = 2_000
    var seed: UInt64 = 42

    init(arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--loans": loans = BenchOptions.value(iterator.next(), Int.init)
            case "--officers": officers = BenchOptions.value(iterator.next(), Int.init)
            case "--seed": seed = BenchOptions.value(iterator.next(), UInt64.init)
            default: BenchOptions.usage()
            }
        }
        guard loans > 0, officers > 0 else { BenchOptions.usage() }
    }

    static func value<T>(_ text: String?, _ parse: (String) -> T?) -> T {
        guard let text, let value = parse(text) else { usage() }
        return value
    }

    static func usage() -> Never {
        print("usage: engine-bench [--loans N] [--officers N] [--seed N]")
        exit(64)
    }
}
