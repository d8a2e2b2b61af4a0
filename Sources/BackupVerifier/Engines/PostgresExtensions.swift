import Foundation

/// The extensions a PostgreSQL sandbox can create, and what to install for one it cannot.
struct PostgresExtensions: Sendable {
    struct Extension: Sendable {
        /// Only a superuser may create it (not marked `trusted` in its control file): the restoring role cannot.
        var superuserOnly: Bool
        /// Already in every sandbox database (plpgsql).
        var installed: Bool
    }

    var available: [String: Extension] = [:]

    /// `pg_available_extension_versions` rows (name, superuser, trusted, installed) of the default versions.
    static let query = """
        SELECT e.name, v.superuser, v.trusted, e.installed_version IS NOT NULL
        FROM pg_catalog.pg_available_extensions e
        JOIN pg_catalog.pg_available_extension_versions v ON v.name = e.name AND v.version = e.default_version
        """

    init(rows: [[String]] = []) {
        for row in rows where row.count == 4 {
            available[row[0]] = Extension(superuserOnly: row[1] == "t" && row[2] != "t", installed: row[3] == "t")
        }
    }

    /// The Debian package that provides `name` for PostgreSQL `major`, when it is not PostgreSQL's own contrib.
    static func package(for name: String, major: String) -> String {
        let known: [String: String] = [
            "postgis": "postgis-3", "postgis_raster": "postgis-3", "postgis_topology": "postgis-3", "postgis_sfcgal": "postgis-3",
            "postgis_tiger_geocoder": "postgis-3", "address_standardizer": "postgis-3", "address_standardizer_data_us": "postgis-3",
            "vector": "pgvector", "pgrouting": "pgrouting", "pg_cron": "cron", "pg_partman": "partman", "pgaudit": "pgaudit",
            "pg_repack": "repack", "hypopg": "hypopg", "orafce": "orafce", "ip4r": "ip4r", "pgtap": "pgtap", "rum": "rum",
            "semver": "semver", "prefix": "prefix", "periods": "periods", "h3": "h3", "plpgsql_check": "plpgsql-check",
            "pldbgapi": "pldebugger", "pointcloud": "pointcloud", "hll": "hll", "pg_stat_kcache": "pg-stat-kcache",
            "pg_qualstats": "pg-qualstats", "pg_hint_plan": "pg-hint-plan", "pgq": "pgq3", "debversion": "debversion",
        ]
        let languages = ["plpython3u": "plpython3", "plperl": "plperl", "plperlu": "plperl", "pltcl": "pltcl", "pltclu": "pltcl"]
        if let language = languages[name] { return "postgresql-\(language)-\(major)" }
        if name == "timescaledb" { return "timescaledb-2-postgresql-\(major) (from Timescale's repository)" }
        if let suffix = known[name] { return "postgresql-\(major)-\(suffix)" }
        if contrib.contains(name) { return "postgresql-\(major) (contrib; reinstall it)" }
        return "the package providing it for PostgreSQL \(major) (often postgresql-\(major)-\(name.replacingOccurrences(of: "_", with: "-")))"
    }

    /// Extensions shipped with PostgreSQL itself (Debian's postgresql-NN package).
    static let contrib: Set<String> = [
        "adminpack", "amcheck", "autoinc", "bloom", "btree_gin", "btree_gist", "citext", "cube", "dblink", "dict_int", "dict_xsyn",
        "earthdistance", "file_fdw", "fuzzystrmatch", "hstore", "insert_username", "intagg", "intarray", "isn", "lo", "ltree",
        "moddatetime", "old_snapshot", "pageinspect", "pg_buffercache", "pg_freespacemap", "pg_prewarm", "pg_stat_statements",
        "pg_surgery", "pg_trgm", "pg_visibility", "pg_walinspect", "pgcrypto", "pgrowlocks", "pgstattuple", "postgres_fdw",
        "refint", "seg", "sslinfo", "tablefunc", "tcn", "tsm_system_rows", "tsm_system_time", "unaccent", "uuid-ossp", "xml2",
    ]

    /// The extension a failed restore could not find ("could not open extension control file
    /// ".../postgis.control"", or PostgreSQL 16+'s "extension "postgis" is not available").
    static func missing(in output: String) -> String? {
        if let match = output.firstMatch(of: #/extension control file "[^"]*/([^/"]+)\.control"/#) { return String(match.output.1) }
        if let match = output.firstMatch(of: #/extension "([^"]+)" is not available/#) { return String(match.output.1) }
        return nil
    }

    /// `CREATE EXTENSION [IF NOT EXISTS] name …` on one line: the extension's name.
    static func created(by line: String) -> String? {
        guard let match = line.firstMatch(of: #/^CREATE EXTENSION (?:IF NOT EXISTS )?("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)/#) else { return nil }
        return PostgresRoleStatements.identifier(String(match.output.1))
    }

    /// `COMMENT ON EXTENSION name IS …`: the extension's name.
    static func commented(by line: String) -> String? {
        guard let match = line.firstMatch(of: #/^COMMENT ON EXTENSION ("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*) IS /#) else { return nil }
        return PostgresRoleStatements.identifier(String(match.output.1))
    }
}
