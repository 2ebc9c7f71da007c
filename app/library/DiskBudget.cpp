#include "library/DiskBudget.h"

#include <QStorageInfo>

#include <algorithm>

namespace hearth::library {

qint64 DiskBudget::available() const
{
  if (m_limit >= 0)
    return m_limit;
  QStorageInfo info(m_dir);
  return info.isValid() ? info.bytesAvailable() : -1;
}

qint64 DiskBudget::grant(qint64 bytes)
{
  if (m_limit < 0)
    return bytes;
  const qint64 granted = std::clamp<qint64>(bytes, 0, m_limit);
  m_limit -= granted;
  return granted;
}

void DiskBudget::release(qint64 bytes)
{
  if (m_limit >= 0 && bytes > 0)
    m_limit += bytes;
}

} // namespace hearth::library
