/// The schema version this build of the code expects: the number of the newest file in
/// `migrations/`. The API reports not ready until the database reaches it (it never migrates);
/// a test keeps this constant equal to the newest file.
public enum Schema {
    /// The newest migration's number.
    public static let expectedVersion = 10
}
