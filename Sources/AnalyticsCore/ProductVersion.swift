/// The product's version, printed by `analytics-api --version` and `metrics-worker --version`.
public enum ProductVersion {
    /// Semantic version of this build of the workspace.
    public static let current = "0.12.0"
}
