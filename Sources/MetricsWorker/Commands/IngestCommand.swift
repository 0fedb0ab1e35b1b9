import AnalyticsCore
import AnalyticsStore
import ArgumentParser
import Foundation

/// `metrics-worker ingest`: loads source records (INGEST.md).
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load officers, customers, loans, repayments and team members from JSON, NDJSON or CSV.",
        discussion: """
            FILE is a JSON document (one entity, a batch object, or an array), an NDJSON file (one \
            entity per line, streamed), or - for standard input. --csv TABLE FILE loads a CSV file with a \
            header row into TABLE (loans, repayments, officers, customers, team_members).
            Invalid records are stored whole in etl_rejects with their reasons; the valid ones load. \
            Exit status 65 when anything was rejected.
            """)

    @Argument(help: "JSON / NDJSON files, or - for standard input.")
    var files: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: "TABLE FILE: a CSV initial load (repeatable).")
    var csv: [String] = []

    @Option(name: .long, help: "Records per transaction.")
    var chunkSize = Ingestor.fileChunkSize

    func validate() throws {
        guard !files.isEmpty || !csv.isEmpty else {
            throw ValidationError("name at least one FILE (or - for standard input), or --csv TABLE FILE")
        }
        guard csv.count % 2 == 0 else { throw ValidationError("--csv takes pairs: TABLE FILE") }
        for table in stride(from: 0, to: csv.count, by: 2).map({ csv[$0] }) where Self.kind(forTable: table) == nil {
            throw ValidationError("--csv table '\(table)' is not one of loans, repayments, officers, customers, team_members")
        }
        try Self.validate(chunkSize: chunkSize)
    }

    /// Checks a `--chunk-size` (of `ingest` and `seed-demo`).
    static func validate(chunkSize: Int) throws(ValidationError) {
        let sizes = Ingestor.chunkSizes
        guard sizes.contains(chunkSize) else {
            throw ValidationError("--chunk-size must be \(sizes.lowerBound)...\(sizes.upperBound), not \(chunkSize)")
        }
    }

    static func kind(forTable table: String) -> RecordKind? {
        RecordKind.allCases.first { $0.batchKey == table }
    }

    func run() async throws {
        var inputs: [(path: String, kind: RecordKind?)] = files.map { ($0, nil) }
        for i in stride(from: 0, to: csv.count, by: 2) { inputs.append((csv[i + 1], Self.kind(forTable: csv[i]))) }
        let summary = try await WorkerRuntime.with(label: "metrics-worker.ingest") { runtime in
            do {
                return try await Self.ingest(inputs, pool: runtime.pool, chunkSize: chunkSize, log: PhaseLog(job: "ingest"))
            } catch let error as IngestInputError {
                FileHandle.standardError.write(Data("metrics-worker: ingest failed: \(error.message)\n".utf8))
                throw ExitCode.usage
            } catch {
                throw runtime.fail(error, doing: "ingest")
            }
        }
        print(summary.line)
        if summary.rejected > 0 { throw ExitCode.dataRejected }
    }

    /// The work of the command, callable from tests and from `seed-demo`.
    static func ingest(_ inputs: [(path: String, kind: RecordKind?)], pool: PostgresPool, chunkSize: Int = Ingestor.fileChunkSize,
                       log: PhaseLog? = nil) async throws -> Ingestor.Summary {
        var summary = Ingestor.Summary()
        let ingestor = Ingestor(pool: pool, chunkSize: chunkSize)
        for input in inputs {
            let source = try IngestSource(path: input.path, csvKind: input.kind)
            let name = source.name
            let progress = Progress(label: "ingest \(name)", total: nil)
            let clock = ContinuousClock()
            let start = clock.now
            let before = summary.accepted + summary.rejected
            try await ingestor.run(source, summary: &summary, progress: progress)
            progress.finish()
            let elapsed = clock.now - start
            // Officers and customers created from loan records (not sent on their own): for the log,
            // not the summary line (a loan-only export always has them).
            log?.log("input", ["source": name, "records": summary.accepted + summary.rejected - before,
                               "officers_customers_from_loans": summary.counts.placeholders, "chunks_written_beside": summary.chunksWrittenBeside,
                               "seconds": elapsed.seconds])
        }
        return summary
    }
}
