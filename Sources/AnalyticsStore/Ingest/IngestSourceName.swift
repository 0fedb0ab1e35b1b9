/// How the sources of `etl_rejects.source` are named beyond files (`stdin`, absolute paths).
public enum IngestSourceName {
    /// The prefix of a `POST /api/v1/ingest` request's source: `api:<batch_id>`.
    public static let apiPrefix = "api:"

    /// The source of the API batch `batchID`.
    public static func api(batchID: String) -> String { apiPrefix + batchID }
}
