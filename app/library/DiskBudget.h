// Free space in the models directory, shared by all downloads. Normally the real
// disk (QStorageInfo); setLimit() replaces it by a simulated quota that writes use up,
// so "disk full" can be tested anywhere, also as root and in CI.
#pragma once

#include <QString>

namespace hearth::library {

class DiskBudget {
public:
  explicit DiskBudget(QString dir) : m_dir(std::move(dir)) {}

  void setLimit(qint64 freeBytes) { m_limit = freeBytes; } // < 0: the real disk
  qint64 available() const;
  // How many of `bytes` may be written now (all of them on the real disk, where a
  // failing write reports a full disk instead).
  qint64 grant(qint64 bytes);
  void release(qint64 bytes); // a deleted or truncated part file frees its bytes

private:
  QString m_dir;
  qint64 m_limit = -1;
};

} // namespace hearth::library
