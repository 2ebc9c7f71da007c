// The conversation database's schema and its migrations. Each schema version N has a
// migrateToN() ending with `PRAGMA user_version = N`; the steps from a file's version to
// the current one run in one transaction, so a database is always at its old version or
// the new one, never between.
#pragma once

#include "hearth/error.h"

namespace hearth::sql {
class Database;
}

namespace hearth::store {

// The version this code writes. A database with a higher user_version came from a newer
// Hearth and is refused untouched.
inline constexpr int k_schemaVersion = 2;

// Migrates from the database's user_version up to k_schemaVersion.
Status migrate(sql::Database &db);

// Connection settings applied on every open: foreign keys, busy timeout, synchronous.
Status configureConnection(sql::Database &db);
// Switches to WAL (persistent in the file); done after migrating, so that a database that
// is refused or fails to migrate is left as it was.
Status enableWal(sql::Database &db);

} // namespace hearth::store
