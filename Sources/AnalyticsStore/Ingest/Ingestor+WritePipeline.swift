import AnalyticsCore
import Synchronization

extension Ingestor {
    /// The chunk writes of a longer input (`Ingestor.overlapped`): at most two in flight, the
    /// second only beside a chunk it shares no row with, on a connection more leased for that
    /// write alone, and only while no written chunk waits to be counted (so at most three chunks
    /// are held: two written, one validated); the outcomes counted in input order.
    struct WritePipeline {
        /// One write's outcome, as a child task returns it (a failure is a value, so the parent
        /// decides: write the chunk again alone, or stop).
        struct Finished: Sendable {
            let sequence: Int
            let result: Result<IngestWriter.Counts, any Error>
        }

        private struct Flight {
            let chunk: IngestChunk
            let keys: IngestChunk.Keys
            let onSpare: Bool
            /// Set by its task when the write has ended (before the parent collects it).
            let ended: Ended
            /// No other write was running at any time during this one.
            var alone: Bool
        }

        /// Whether a write's task has ended, as its task sets it and the parent reads it.
        final class Ended: Sendable {
            private let flag = Atomic<Bool>(false)
            func set() { flag.store(true, ordering: .releasing) }
            var isSet: Bool { flag.load(ordering: .acquiring) }
        }

        /// The writer on the connection the load leased for itself.
        let writer: IngestWriter
        let pool: PostgresPool
        let source: String
        /// Whether a chunk may be written beside another at all: the caller allows it and the
        /// pool can ever lend a connection more (the load's two, one more, and `spareReserve`);
        /// otherwise no chunk's keys are even computed.
        let concurrent: Bool
        /// Connections a spare lease leaves free: another load's pair.
        static let spareReserve = 2

        private var flights: [Int: Flight] = [:]
        /// Written chunks not yet counted (a chunk before them is still in flight).
        private var written: [Int: (chunk: IngestChunk, counts: IngestWriter.Counts, beside: Bool)] = [:]
        private var nextSequence = 0
        private var nextToCount = 0
        private var mainBusy = false
        private var countedSinceCheckpoint = false
        /// Set when leasing a connection more failed (the server refuses connections): this load
        /// does not try again.
        private var spareRefused = false

        init(writer: IngestWriter, pool: PostgresPool, source: String, concurrent: Bool) {
            self.writer = writer
            self.pool = pool
            self.source = source
            self.concurrent = concurrent && pool.maximumConnections >= 3 + Self.spareReserve
        }

        /// The chunks being written: the next chunk's lookup counts them as written.
        var inFlightChunks: [IngestChunk] { flights.keys.sorted().compactMap { flights[$0]?.chunk } }

        /// Starts writing `chunk` (the next in input order): beside the write in flight when it
        /// may go there and a connection is free, else once the writes before it have ended.
        /// `checkpoint` runs on the load's own connection, between two of its writes, when chunks
        /// were counted since it last ran.
        mutating func dispatch(_ chunk: IngestChunk, in group: inout ThrowingTaskGroup<Finished, any Error>,
                               summary: inout Summary, report: (Summary) -> Void,
                               checkpoint: ((Summary, PostgresConnection) async throws -> Void)?,
                               inTransaction: (@Sendable (PostgresConnection) async throws -> Void)?) async throws {
            let keys = concurrent && chunk.rejects.isEmpty ? chunk.keys : IngestChunk.Keys()
            while let other = flights.values.first {
                let beside = concurrent && flights.count == 1 && chunk.rejects.isEmpty && other.chunk.rejects.isEmpty
                    && other.keys.isDisjoint(with: keys)
                if beside { break }
                try await collect(&group, summary: &summary, report: report, inTransaction: inTransaction)
            }
            var spare: PostgresConnectionHandle?
            if mainBusy {
                // Not while a written chunk waits for the one on the main connection: chunks would
                // pile up, committed far ahead of what is counted.
                if written.isEmpty, !spareRefused {
                    do {
                        spare = try await pool.acquireIfFree(keepingFree: Self.spareReserve)
                    } catch {
                        spareRefused = true
                    }
                }
                if spare == nil {
                    while mainBusy { try await collect(&group, summary: &summary, report: report, inTransaction: inTransaction) }
                }
            }
            if spare == nil, countedSinceCheckpoint, let checkpoint {
                try await checkpoint(summary, writer.connection)
                countedSinceCheckpoint = false
            }
            let sequence = nextSequence
            nextSequence += 1
            var alone = true
            for (key, flight) in flights where !flight.ended.isSet {
                flights[key]?.alone = false
                alone = false
            }
            let ended = Ended()
            flights[sequence] = Flight(chunk: chunk, keys: keys, onSpare: spare != nil, ended: ended, alone: alone)
            if let spare {
                let pool = self.pool, source = self.source
                group.addTask {
                    let connection = PostgresConnection(handle: spare, executor: pool.executor)
                    let writer = IngestWriter(connection: connection, source: source)
                    let result: Result<IngestWriter.Counts, any Error>
                    do {
                        try await writer.prepare()
                        result = .success(try await writer.write(chunk, inTransaction: inTransaction))
                    } catch {
                        result = .failure(error)
                    }
                    pool.release(spare)
                    ended.set()
                    return Finished(sequence: sequence, result: result)
                }
            } else {
                mainBusy = true
                let writer = self.writer
                group.addTask {
                    let result: Result<IngestWriter.Counts, any Error>
                    do {
                        result = .success(try await writer.write(chunk, inTransaction: inTransaction))
                    } catch {
                        result = .failure(error)
                    }
                    ended.set()
                    return Finished(sequence: sequence, result: result)
                }
            }
        }

        /// Waits for every write in flight and counts them in input order. After a failure the
        /// summary counts the chunks before the failed one (a chunk written beside it may have
        /// committed too: it is not counted, and a retry of the load finds it unchanged).
        mutating func drain(_ group: inout ThrowingTaskGroup<Finished, any Error>, summary: inout Summary, report: (Summary) -> Void,
                            inTransaction: (@Sendable (PostgresConnection) async throws -> Void)?) async throws {
            var failure: (any Error)?
            while !flights.isEmpty {
                do {
                    try await collect(&group, summary: &summary, report: report, inTransaction: inTransaction)
                } catch {
                    failure = failure ?? error
                }
            }
            written.removeAll()
            if let failure { throw failure }
        }

        private func count(_ done: (chunk: IngestChunk, counts: IngestWriter.Counts, beside: Bool), into summary: inout Summary) {
            summary.add(done.chunk, done.counts)
            if done.beside { summary.chunksWrittenBeside += 1 }
        }

        /// Waits for one write to end. A failed write that had another beside it is written again
        /// alone, once the others have ended; any other failure is thrown.
        private mutating func collect(_ group: inout ThrowingTaskGroup<Finished, any Error>, summary: inout Summary,
                                      report: (Summary) -> Void,
                                      inTransaction: (@Sendable (PostgresConnection) async throws -> Void)?) async throws {
            guard let finished = try await group.next() else {
                // No write left (cannot happen while flights are recorded: each has its task).
                flights.removeAll()
                mainBusy = false
                return
            }
            guard let flight = flights.removeValue(forKey: finished.sequence) else { return }
            if !flight.onSpare { mainBusy = false }
            switch finished.result {
            case .success(let counts):
                written[finished.sequence] = (flight.chunk, counts, !flight.alone)
            case .failure(let error):
                guard !flight.alone, !Task.isCancelled else { throw error }
                // Beside another write: that one ends first (and is counted), then this one alone.
                while !flights.isEmpty { try await collect(&group, summary: &summary, report: report, inTransaction: inTransaction) }
                written[finished.sequence] = (flight.chunk, try await writer.write(flight.chunk, inTransaction: inTransaction), false)
            }
            while let done = written.removeValue(forKey: nextToCount) {
                count(done, into: &summary)
                nextToCount += 1
                countedSinceCheckpoint = true
                report(summary)
            }
        }
    }
}
