/// The two Maven groups of the view: every version of every package, or only the proven ones.
enum MavenGroup: String, Sendable {
    /// `backupfeed:<PackageId>`: all versions; `<latest>`/`<release>` as `GET /api/packages/{id}/latest`.
    case all = "backupfeed"
    /// `backupfeed.verified:<PackageId>`: versions whose newest finished verification passed; `<latest>` and
    /// `<release>` are the latest verified version, so `RELEASE` is what `latest/download?verified=true` serves.
    case verified = "backupfeed.verified"

    var groupId: String { rawValue }
}
