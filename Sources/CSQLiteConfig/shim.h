#ifndef BACKUPFEED_CSQLITECONFIG_H
#define BACKUPFEED_CSQLITECONFIG_H

/* sqlite3_db_config is variadic, which Swift cannot call: these wrappers call it with the argument list
 * each option documents ("int int*"). sqlite3.h is not included on purpose: GRDBSQLite already imports it
 * into Swift, and a second copy of its declarations in another module makes every sqlite3_* call ambiguous.
 * The prototype below is the one sqlite3.h declares; the option numbers are sqlite3.h's. */

struct sqlite3;
extern int sqlite3_db_config(struct sqlite3 *, int op, ...);

#define BACKUPFEED_DBCONFIG_ENABLE_FTS3_TOKENIZER 1004
#define BACKUPFEED_DBCONFIG_ENABLE_LOAD_EXTENSION 1005
#define BACKUPFEED_DBCONFIG_DEFENSIVE 1010
#define BACKUPFEED_DBCONFIG_TRUSTED_SCHEMA 1017

/// Sets an on/off option; returns the option's value afterwards (0 or 1), or -1 when SQLite refused the call
/// (an option this library version does not know).
static inline int backupfeed_sqlite3_db_config_flag(struct sqlite3 *db, int op, int on) {
    int now = -1;
    if (sqlite3_db_config(db, op, on, &now) != 0) return -1;
    return now;
}

#endif
