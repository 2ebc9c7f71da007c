// When the conversation database is checked for damage, and the check that runs off the
// GUI thread.
//
// A full `PRAGMA quick_check` reads every page: about 270 ms for a 65 MiB database
// (100,000 messages) on a slow machine, far too long to sit between a click and the window.
// It cannot be made both cheaper and complete (a bounded check of a few pages misses a
// flipped byte in the others), so instead it moves off the open path when that is safe:
//
// - A clean close writes a marker file beside the database, `<db>.clean`, holding the
//   database's size, modification time (ns) and inode as the close left them, and only
//   when the database was checked during that session and the close left no WAL behind
//   (no other connection still open). open() removes the marker.
// - open() skips the check only when the marker is there and still matches the file and
//   there is no `-wal` file: the file is byte for byte as a checked, clean close left it.
//   After a crash or kill (no marker, or a WAL left over), after anything else wrote the
//   file (size or time differ), or when the last session closed before its check finished,
//   quick_check runs at open as before.
// - When it was skipped, the full check still runs, a couple of seconds later, on its own
//   read-only connection in a background thread (WAL readers do not block the writer).
//   Damage it finds goes through the same recovery as at open: copied aside, salvaged,
//   reopened, and the user told (ConversationStore::recovered).
//
// So every session checks the whole file once, and a damaged file is never trusted for
// longer than the few seconds of one session that starts from a clean close.
#pragma once

#include <QString>

#include <functional>
#include <mutex>
#include <optional>
#include <thread>

struct sqlite3;

namespace hearth::store {

QString cleanMarkerPath(const QString &dbPath);
// Records that dbPath was closed cleanly after being checked. Does nothing (and returns
// false) when a `-wal` file remains, i.e. another connection still has the database open.
bool writeCleanMarker(const QString &dbPath);
// True when the marker exists and matches dbPath's size, time and inode, and no `-wal`
// file is there.
bool closedCleanly(const QString &dbPath);
void removeCleanMarker(const QString &dbPath);

// quick_check of a database on its own read-only connection, in a thread.
class BackgroundCheck {
public:
  BackgroundCheck() = default;
  BackgroundCheck(const BackgroundCheck &) = delete;
  BackgroundCheck &operator=(const BackgroundCheck &) = delete;
  ~BackgroundCheck() { stop(); }

  // Runs checkHealth() on path; done(problem) is called on the worker thread with "ok" or
  // what is wrong, unless stop() was called first.
  void start(const QString &path, std::function<void(const QString &)> done);
  // Interrupts a running check (sqlite3_interrupt) and waits for the thread.
  void stop();

private:
  std::thread m_thread;
  std::mutex m_mutex;      // guards the two below
  sqlite3 *m_conn = nullptr; // the worker's connection while it checks
  bool m_stopping = false;
};

} // namespace hearth::store
