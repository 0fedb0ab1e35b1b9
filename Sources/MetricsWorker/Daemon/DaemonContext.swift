import AnalyticsCore
import AnalyticsStore
import Foundation
import Logging

/// What the daemon's services share: the pool, Redis, the job runner, the metrics, the logger, the
/// metric options, and the business date.
struct DaemonContext: Sendable {
    let pool: PostgresPool
    let redis: RedisClient?
    let runner: JobRunner
    let metrics: DaemonMetrics
    let logger: Logger
    /// As `JobContext` takes them (`DQI_CHANNEL_PURITY`).
    var options: MetricsOptions
    /// `--as-of`: the business date pinned for the process; nil follows the clock.
    let asOf: CalendarDate?
    /// `ANALYTICS_TIMEZONE`.
    let timeZone: TimeZone
    /// The wall clock the schedule and `today()` read.
    let clock: any DaemonClock
    /// The Fineract tenant the `sync-fineract` entry follows (`FINERACT_DATABASE_URL`), if any.
    var fineract: FineractTenant?

    /// `asOf` nil follows the clock; `timeZone` defaults to `Africa/Lagos` (the daemon passes
    /// `ANALYTICS_TIMEZONE`).
    init(pool: PostgresPool, redis: RedisClient?, runner: JobRunner, metrics: DaemonMetrics, logger: Logger,
         options: MetricsOptions, asOf: CalendarDate? = nil, timeZone: TimeZone = DaemonContext.defaultTimeZone,
         clock: any DaemonClock = SystemClock(), fineract: FineractTenant? = nil) {
        self.pool = pool
        self.redis = redis
        self.runner = runner
        self.metrics = metrics
        self.logger = logger
        self.options = options
        self.asOf = asOf
        self.timeZone = timeZone
        self.clock = clock
        self.fineract = fineract
    }

    /// `Africa/Lagos`, the default of `ANALYTICS_TIMEZONE`.
    static var defaultTimeZone: TimeZone { TimeZone(identifier: "Africa/Lagos") ?? TimeZone(secondsFromGMT: 3600) ?? .current }

    /// The business date: the pinned `--as-of`, else today in the business time zone (it moves at
    /// local midnight).
    func today() -> CalendarDate {
        asOf ?? WallClockMinute(clock.now(), in: timeZone).date
    }

    /// A job context for `date`, every officer (the daemon runs no partitions).
    func jobContext(asOf date: CalendarDate) -> JobContext {
        JobContext(pool: pool, runner: runner, asOf: date, partition: .all, options: options)
    }
}
