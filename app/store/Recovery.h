// Damaged databases: detection at open (quick_check) and recovery. The damaged file is
// copied aside (SQLite's backup API; a byte copy when SQLite cannot read it at all), every
// row that can still be read goes into a fresh database, which then replaces the file.
#pragma once

#include "hearth/error.h"

#include <QString>

namespace hearth::sql {
class Database;
}

namespace hearth::store {

// "ok", or what quick_check (or reading the header) found wrong.
QString checkHealth(sql::Database &db);

struct RecoveryReport {
  QString copyPath;       // where the damaged database was copied; empty if copying failed
  int conversations = 0;  // rows recovered
  int messages = 0;
  bool startedEmpty = false;
  QString notice;         // a sentence for the user
};

// Drops messages of missing conversations, makes orphans roots, and makes exactly one
// sibling of each group selected (the newest where none or several were). Used after
// recovery and import.
Status repairTree(sql::Database &db);

// Copies path aside and replaces it by a database holding what could be read from it.
// Never throws; on total failure the database at path is new and empty.
RecoveryReport recoverDamaged(const QString &path, const QString &problem);

} // namespace hearth::store
