// The engine over a gathered book on every core. Written here: the cut into ranges and their
// ordered merge are ours; the threads are Dispatch's (`DispatchQueue.concurrentPerform`).
import AnalyticsCore
import Dispatch
import Foundation
import Synchronization

extension GatheredBook {
    /// The fewest loans a range gets: below it, handing a range to a thread costs more than it saves.
    static let minimumLoansPerRange = 8

    /// Ranges per core: consecutive ranges differ in cost (a range of loans long in arrears
    /// evaluates more days for `valid_through`), so each core takes several in turn.
    static let rangesPerCore = 4

    /// The consecutive slot ranges of a pass over `count` loans on `cores` cores.
    static func ranges(count: Int, cores: Int) -> [Range<Int>] {
        let parts = max(1, min(max(cores, 1) * rangesPerCore, count / minimumLoansPerRange))
        return (0..<parts).map { part in (count * part / parts)..<(count * (part + 1) / parts) }
    }

    /// Runs `consumer` over every loan's ledger and returns it with everything it gathered, as one
    /// pass in stream order would. The loans are cut into consecutive ranges (`ranges`), each
    /// consumed by its own copy of `consumer` (as given) on a thread of Dispatch's pool, which the
    /// calling thread joins until all are done; the copies are then appended in range order
    /// (`LedgerConsumer.append`), so the rows keep the stream's order and the sums, exact
    /// integers and money, are the same. The first range's copy reserves room for the whole
    /// stream, so appending the others does not move it. `consumer` must hold nothing yet (every
    /// range starts from a copy of it).
    func consume<C: LedgerConsumer>(into consumer: C, cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> C {
        let grouping = grouping()
        let ranges = Self.ranges(count: terms.count, cores: cores)
        let progress = Mutex(Progress(label: "computing loans", total: terms.count))
        let done = Atomic(0)
        let results = Mutex([C?](repeating: nil, count: ranges.count))
        DispatchQueue.concurrentPerform(iterations: ranges.count) { index in
            var part = consumer
            part.reserve(index == 0 ? terms.count : ranges[index].count)
            var pending = 0
            forEachLedger(slots: ranges[index], grouping: grouping) { ledger, info in
                part.consume(ledger, info: info)
                pending += 1
                if pending == 0x3FFF {
                    let total = done.add(pending, ordering: .relaxed).newValue
                    pending = 0
                    progress.withLock { $0.update(total, unit: "loans") }
                }
            }
            results.withLock { $0[index] = part }
        }
        progress.withLock { $0.finish() }
        var parts = results.withLock { results in
            let taken = results
            results = []
            return taken
        }
        // concurrentPerform returns once every iteration has run, each storing its part.
        guard parts.count == ranges.count, parts.allSatisfy({ $0 != nil }), var merged = parts[0].take() else {
            preconditionFailure("the engine pass lost a range's result (\(parts.count) of \(ranges.count) ranges)")
        }
        for index in parts.indices.dropFirst() {
            if let later = parts[index].take() { merged.append(later) }
        }
        return merged
    }
}
