#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast macro that does not import into Swift: it tells
// SQLite to copy bound text before the call returns.
static inline sqlite3_destructor_type closeup_sqlite_transient(void) { return SQLITE_TRANSIENT; }
