import AnalyticsCore

/// `analytics-api --help` and `--version`, answered before any setting is read (so a newcomer can
/// ask without a database). The server itself takes no arguments: everything is an environment
/// variable (`APIConfiguration`).
enum APIUsage {
    /// What to print and the exit code for `arguments` (without the program name), or nil to start
    /// the server.
    static func respond(to arguments: [String]) -> (text: String, exitCode: Int32, toStandardError: Bool)? {
        guard let first = arguments.first else { return nil }
        switch first {
        case "--help", "-h", "help": return (help, 0, false)
        case "--version": return ("analytics-api \(ProductVersion.current)", 0, false)
        default: return ("analytics-api: unknown argument '\(first.prefix(40))' (settings are environment variables; see --help)", 64, true)
        }
    }

    static let help = """
        OVERVIEW: Serves the loan-portfolio analytics API (/api/v1/..., /health, /ready, /metrics,
        /openapi.json). It takes no arguments: settings come from the environment.

        USAGE: analytics-api [--help | --version]

        SETTINGS (environment variables):
          DATABASE_URL                 required; postgres://user:password@host:port/database (the primary)
          DATABASE_READ_URL            metric reads (a streaming replica; a read it cannot answer goes to
                                       the primary); default DATABASE_URL. Audit reads use the primary.
          DATABASE_POOL_SIZE           connections per pool; default 10
          DATABASE_ACQUIRE_TIMEOUT_MS  wait for a free connection before answering 503; default 2000
          REDIS_URL                    redis://[:password@]host:port[/db][?timeout_ms=50&connect_timeout_ms=50&retry_after_ms=250];
                                       default none (every read goes to PostgreSQL)
          CACHE_TTL_SECONDS            backstop lifetime of a Redis cache entry; default 900
          CACHE_REFRESH_AHEAD_KEYS     recently read entries loaded again when invalidated; default 512 (0: off)
          JWT_SECRET                   required; HS256 key of the bearer tokens (at least 32 bytes)
          JWT_SECRET_PREVIOUS          the previous key, accepted during a rotation
          JWT_PUBLIC_KEY_FILE          a PEM public key: RS256 tokens are accepted too
          CORS_ALLOWED_ORIGINS         comma-separated origins of browser dashboards; default none
          IDEMPOTENCY_KEY_TTL_HOURS    how long an Idempotency-Key and its stored response are kept; default 24
          ANALYTICS_TIMEZONE           business time zone (IANA); default Africa/Lagos
          PORT                         default 8080
          BIND_ADDRESS                 default 0.0.0.0 (127.0.0.1 for local use)
          LOG_LEVEL                    trace, debug, info, notice, warning, error, critical; default info
          LOG_FORMAT                   json (one object per line) or text; default json

        A missing or bad setting stops start-up with one line naming it (exit 64). Logs go to
        standard output. See docs/operations.md.
        """
}
