import Foundation
import GRDBSQLite

/// What a dump (or a restored database's own schema) may do inside the SQLite restore child. Checked by
/// SQLite's authorizer while each statement is prepared, including statements that views, triggers and
/// `pragma_*` table functions run on the dump's behalf.
enum SQLiteAuthorizerPolicy {
    /// What the authorizer decided about one action.
    enum Decision: Equatable {
        case allow
        case refuse(String)
        /// Allowed, and the connection must switch SQLite's defensive mode (on: true) first.
        case allowWithDefensive(Bool)
    }

    /// PRAGMAs `sqlite3 .dump` writes, those other SQLite export tools write, and read-only ones a policy check
    /// may ask. Everything else is refused: `hard_heap_limit`, `soft_heap_limit`, `mmap_size`,
    /// `temp_store_directory`, `data_store_directory`, `threads` and the like reach past the dump's own file.
    static let allowedPragmas: Set<String> = [
        "foreign_keys", "defer_foreign_keys", "writable_schema", "user_version", "application_id", "encoding", "page_size",
        "auto_vacuum", "legacy_file_format", "recursive_triggers", "ignore_check_constraints", "legacy_alter_table",
        "case_sensitive_like", "synchronous", "journal_mode", "locking_mode", "cache_size", "temp_store", "busy_timeout",
        "automatic_index", "reverse_unordered_selects", "query_only", "cell_size_check", "count_changes",
        "empty_result_callbacks", "full_column_names", "short_column_names", "fullfsync", "checkpoint_fullfsync",
        "integrity_check", "quick_check", "foreign_key_check", "foreign_key_list", "table_info", "table_xinfo", "table_list",
        "index_list", "index_info", "index_xinfo", "collation_list", "database_list", "schema_version", "data_version",
        "freelist_count", "page_count", "max_page_count", "optimize", "analysis_limit", "trusted_schema", "compile_options",
    ]

    /// Functions refused by name (SQLite reports the registered, lowercase name whatever case the SQL used).
    /// `fts3_tokenizer` hands out and accepts raw pointers to C code: a dump that passes it a pointer of its
    /// choice makes libsqlite3 jump there. `load_extension` loads a shared library.
    static let refusedFunctions: Set<String> = ["fts3_tokenizer", "load_extension"]

    static func decide(action: Int32, arg1: String?, arg2: String?) -> Decision {
        switch action {
        case SQLITE_ATTACH: return .refuse("ATTACH (and VACUUM INTO) is refused in the sandbox")
        case SQLITE_DETACH: return .refuse("DETACH is refused in the sandbox")
        case SQLITE_FUNCTION:
            let name = (arg2 ?? "").lowercased()
            if refusedFunctions.contains(name) { return .refuse("the function \(name)() is refused in the sandbox") }
            return .allow
        case SQLITE_PRAGMA:
            return pragma((arg1 ?? "").lowercased(), argument: arg2)
        default:
            return .allow
        }
    }

    private static func pragma(_ name: String, argument: String?) -> Decision {
        guard allowedPragmas.contains(name) else { return .refuse("PRAGMA \(name) is refused in the sandbox") }
        let value = argument.map(truth)
        switch name {
        case "trusted_schema" where value == true:
            // Trusted schema lets a view or trigger of the dump call functions with side effects.
            return .refuse("PRAGMA trusted_schema=ON is refused in the sandbox")
        case "writable_schema":
            // sqlite3 .dump writes virtual tables (FTS and others) straight into sqlite_schema between
            // `writable_schema=ON` and `OFF`; SQLite's defensive mode forbids exactly that, so it is lifted
            // for that stretch only. Whatever the dump writes there stays in its own file in this child.
            guard let value else { return .allow }
            return .allowWithDefensive(!value)
        default:
            return .allow
        }
    }

    /// SQLite's boolean spelling for a PRAGMA argument (`ON`, `yes`, `1`, `true`; anything else is false).
    private static func truth(_ text: String) -> Bool {
        let word = text.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "'\"")).lowercased()
        if let number = Int(word) { return number != 0 }
        return ["on", "yes", "true"].contains(word)
    }
}
