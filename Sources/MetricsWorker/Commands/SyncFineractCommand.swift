import AnalyticsCore
import AnalyticsStore
import ArgumentParser
import Foundation

/// `metrics-worker sync-fineract`: follows an Apache Fineract tenant (docs/fineract.md).
struct SyncFineractCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync-fineract",
        abstract: "Load the loans of an Apache Fineract tenant changed since the last sync (FINERACT_DATABASE_URL).",
        discussion: """
            Reads the tenant named by FINERACT_DATABASE_URL read-only (a read replica and a read-only role are \
            enough) and loads its officers, customers and the loans changed since the stored watermark (minus \
            --lookback) whole through the ingest path. The first run, and --full, read every loan. \
            FINERACT_REGION_LEVEL (default 1) and FINERACT_CHANNEL (direct or fund) shape the mapping. \
            Exit status 65 when a loan was rejected (see metrics-worker rejects), 75 when another sync runs.
            """)

    @Flag(name: .long, help: "Read every loan, not only the changed ones.")
    var full = false

    @Option(name: .long, help: "How far before the watermark to look again: seconds, or with s, m or h (default 10m).")
    var lookback = "10m"

    @Flag(name: .long, help: "Also mark loans we hold that Fineract no longer shows as disbursed as Cancelled.")
    var reconcile = false

    @Flag(name: .long, help: "Read and map, write nothing; print what would be sent.")
    var dryRun = false

    @Option(name: .long, help: "Loans per read and per ingest transaction (default 2500).")
    var batchSize = FineractSyncOptions.defaultBatchSize

    func validate() throws {
        guard Self.seconds(lookback) != nil else {
            throw ValidationError("--lookback must be a whole number of seconds, or end in s, m or h (e.g. 10m), not '\(lookback)'")
        }
        guard (1...20_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1...20000, not \(batchSize)") }
    }

    /// `600`, `600s`, `10m`, `1h` -> seconds.
    static func seconds(_ text: String) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3_600]
        if let last = text.last, let unit = units[last] { return Int(text.dropLast()).flatMap { $0 >= 0 ? $0 * unit : nil } }
        return Int(text).flatMap { $0 >= 0 ? $0 : nil }
    }

    func run() async throws {
        var options = FineractSyncOptions()
        options.full = full
        options.lookbackSeconds = Self.seconds(lookback) ?? 600
        options.reconcile = reconcile
        options.dryRun = dryRun
        options.batchSize = batchSize
        let result = try await WorkerRuntime.with(label: "metrics-worker.sync-fineract") { runtime in
            guard let fineract = runtime.configuration.fineract else {
                FileHandle.standardError.write(Data("metrics-worker: sync-fineract needs FINERACT_DATABASE_URL (the tenant database, read-only)\n".utf8))
                throw ExitCode.usage
            }
            options.regionLevel = fineract.regionLevel
            options.channel = fineract.channel
            do {
                return try await Self.sync(runtime: runtime, fineract: fineract, options: options)
            } catch let skipped as JobSkipped {
                FileHandle.standardError.write(Data("metrics-worker: \(skipped.message)\n".utf8))
                throw ExitCode.tryLater
            } catch {
                throw runtime.fail(error, doing: "sync-fineract")
            }
        }
        print(result.line)
        if result.summary.rejected > 0 || result.wouldSend.keys.contains(where: { $0.hasPrefix("rejected") }) {
            throw ExitCode.dataRejected
        }
    }

    /// One sync under the job rules (lock, `metric_calculation_log` row); a dry run takes neither.
    static func sync(runtime: WorkerRuntime, fineract: FineractConfiguration, options: FineractSyncOptions) async throws -> FineractSyncResult {
        let tenant = tenantPool(fineract, runtime: runtime)
        return try await ServiceScope.run([tenant], logger: runtime.logger) {
            try await syncJob(pool: runtime.pool, tenant: tenant, runner: runtime.runner,
                              date: try AsOfOption.today(timeZone: runtime.configuration.timeZone), options: options)
        }
    }

    /// The pool on the tenant database: one connection (a sync reads in one snapshot).
    static func tenantPool(_ fineract: FineractConfiguration, runtime: WorkerRuntime) -> PostgresPool {
        PostgresPool(configuration: fineract.database, maximumConnections: 1, acquireTimeout: .seconds(30),
                     executor: runtime.executor, applicationName: "metrics-worker-sync-fineract", logger: runtime.logger)
    }

    /// The job itself, callable from tests and the daemon.
    static func syncJob(pool: PostgresPool, tenant: PostgresPool, runner: JobRunner, date: CalendarDate,
                        options: FineractSyncOptions) async throws -> FineractSyncResult {
        if options.dryRun { return try await FineractSync.run(pool: pool, tenant: tenant, options: options) }
        var result = FineractSyncResult()
        let progress = Progress(label: "sync-fineract", total: nil)
        // One lock whatever the date: a run that began before midnight still excludes the next one.
        _ = try await runner.run("sync-fineract", date: date, partition: .all, invalidatesCache: false, lockedPerDate: false) { _ in
            result = try await FineractSync.run(pool: pool, tenant: tenant, options: options, progress: progress)
            return result.counts
        }
        progress.finish()
        return result
    }
}
