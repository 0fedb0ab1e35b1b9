// engine-bench: the loan engine and the officer aggregation over a synthetic in-memory book.
//
// Usage: engine-bench [--loans N] [--officers N] [--seed N]
// Prints loans/second on one core and on all cores, and the peak resident memory (VmHWM).

import AnalyticsCore
import Dispatch
import Foundation
import Synchronization

let options = BenchOptions(arguments: Array(CommandLine.arguments.dropFirst()))
let asOf = CalendarDate(year: 2024, month: 10, day: 17) ?? CalendarDate(daysSinceEpoch: 20_013)
let window = MetricsWindow(asOf: asOf)
let cores = ProcessInfo.processInfo.activeProcessorCount
let clock = ContinuousClock()

print("engine-bench: \(options.loans) loans, \(options.officers) officers, as of \(asOf), seed \(options.seed), \(cores) cores")
let generationStart = clock.now
let book = SyntheticBook(loans: options.loans, officers: options.officers, asOf: asOf, seed: options.seed)
let generation = clock.now - generationStart
print("generated in \(format(generation)): \(book.installmentCount) installments, \(book.repaymentCount) repayments")

/// One chunk of loans: engine states at D, D-7 and S and the officer sums.
@Sendable func accumulate(_ range: Range<Int>) -> PortfolioAccumulator {
    var accumulator = PortfolioAccumulator()
    // One reference to the shared array per chunk: retaining it per loan would make every core
    // hammer the same reference count.
    let channels = book.channelByOfficer
    let window = window
    book.ledgers.withUnsafeBufferPointer { ledgers in
        for ledger in ledgers[range] {
            accumulator.add(ledger, window: window, primaryChannel: channels[ledger.officerId] ?? "Direct")
        }
    }
    return accumulator
}

func finaliseRows(_ accumulator: PortfolioAccumulator) -> [OfficerMetricsRow] {
    accumulator.finalise(officers: book.officers, window: window)
}

// Warm-up (page in, caches), then the measured runs.
_ = accumulate(0..<min(10_000, book.ledgers.count))

let singleStart = clock.now
let single = accumulate(0..<book.ledgers.count)
let singleRows = finaliseRows(single)
let singleTime = clock.now - singleStart

let chunkCount = max(1, cores * 8)
let chunkSize = (book.ledgers.count + chunkCount - 1) / chunkCount
let parts = Mutex([PortfolioAccumulator?](repeating: nil, count: chunkCount))
let parallelStart = clock.now
DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
    let lower = min(chunk * chunkSize, book.ledgers.count)
    let upper = min(lower + chunkSize, book.ledgers.count)
    let result = accumulate(lower..<upper)
    parts.withLock { $0[chunk] = result }
}
var merged = PortfolioAccumulator()
for part in parts.withLock({ $0 }) {
    if let part { merged.merge(part) }
}
let parallelRows = finaliseRows(merged)
let parallelTime = clock.now - parallelStart

guard merged == single, parallelRows == singleRows else {
    print("ERROR: the merged chunks differ from the single pass")
    exit(1)
}
let branches = BranchAggregation.aggregate(parallelRows)
print("officer rows: \(parallelRows.count), branch rows: \(branches.count), ranked: \(parallelRows.filter { $0.rank != nil }.count)")
print("1 core:      \(format(singleTime))  \(rate(book.ledgers.count, singleTime)) loans/s")
print("\(cores) cores:     \(format(parallelTime))  \(rate(book.ledgers.count, parallelTime)) loans/s (\(chunkCount) chunks, merged)")
print("peak memory: \(peakMemory())")

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func format(_ duration: Duration) -> String {
    String(format: "%.3f s", seconds(duration))
}

func rate(_ count: Int, _ duration: Duration) -> String {
    let perSecond = Double(count) / max(seconds(duration), 1e-9)
    return String(format: "%.0f", perSecond)
}

/// VmHWM (peak resident set size) from /proc/self/status.
func peakMemory() -> String {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return "unknown" }
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
    return line.map { $0.dropFirst("VmHWM:".count).trimmingCharacters(in: .whitespaces) } ?? "unknown"
}
