import AnalyticsCore
import AnalyticsStore
import Synchronization

extension Ingestor {
    /// Ingests one file (or standard input) through the shared pipeline. The input is read and
    /// parsed on the blocking executor: file reads never hold a thread of the cooperative pool.
    func run(_ input: sending IngestSource, summary: inout Summary, progress: Progress? = nil) async throws {
        let chunkSize = self.chunkSize
        let name = input.name
        let reader = BlockingChunkReader(input, executor: pool.executor)
        try await Self.pipeline(pool: pool, source: name, summary: &summary,
                                report: { progress?.update($0.accepted + $0.rejected, unit: "records") }) {
            try await reader.nextChunk(limit: chunkSize)
        }
    }
}

/// An `IngestSource` read on the blocking executor. The pipeline asks for one chunk at a time; the
/// lock only gives the source a `Sendable` home.
final class BlockingChunkReader: Sendable {
    private let source: Mutex<IngestSource>
    private let executor: BlockingExecutor

    init(_ source: sending IngestSource, executor: BlockingExecutor) {
        self.source = Mutex(source)
        self.executor = executor
    }

    /// The next chunk of at most `limit` entries, or nil at the end of the input.
    func nextChunk(limit: Int) async throws -> [IngestEntry]? {
        try await executor.run { [self] in
            try source.withLock { source throws -> [IngestEntry]? in try source.nextChunk(limit: limit) }
        }
    }
}
