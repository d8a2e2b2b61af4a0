/// Names the template cluster and the dump rewriter agree on (kept apart from the template's build, which needs
/// the process machinery, so that the rewriter compiles on its own in the fuzz package).
extension PostgresTemplate {
    /// The database a run renames to the policy's database name.
    static let targetDatabase = "backupfeed_restore"
}
