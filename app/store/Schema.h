// The conversation database's schema and its migrations. Each schema version N has a
// migrateToN() that runs in one transaction ending with `PRAGMA user_version = N`, so a
// database is always at one version or the next, never between.
#pragma once

#include "hearth/error.h"

namespace hearth::sql {
class Database;
}

namespace hearth::store {

// The version this code writes. A database with a higher user_version came from a newer
// Hearth and is refused untouched.
inline constexpr int k_schemaVersion = 1;

// Migrates from the database's user_version up to k_schemaVersion.
Status migrate(sql::Database &db);

// Connection settings applied on every open: foreign keys, busy timeout, synchronous.
Status configureConnection(sql::Database &db);
// Switches to WAL (persistent in the file); done after migrating, so that a database that
// is refused or fails to migrate is left as it was.
Status enableWal(sql::Database &db);

} // namespace hearth::store
