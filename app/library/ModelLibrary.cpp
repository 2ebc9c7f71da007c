#include "library/ModelLibrary.h"

#include "library/HubApi.h"

#include <QtConcurrent/QtConcurrentRun>

namespace hearth::library {
namespace {

QString storageName(TokenLocation location)
{
  switch (location) {
  case TokenLocation::Keyring:
    return QStringLiteral("keyring");
  case TokenLocation::File:
    return QStringLiteral("file");
  case TokenLocation::None:
    break;
  }
  return {};
}

} // namespace

ModelLibrary::ModelLibrary(QObject *parent)
  : QObject(parent), m_hasToken(!loadToken().isEmpty())
{
  if (m_hasToken)
    m_tokenStorage = storageName(tokenLocation());
  connect(&m_downloads, &DownloadManager::modelInstalled, &m_installed, &InstalledModels::refresh);
  m_catalog.track(&m_downloads, &m_installed);
  connect(&m_budgetWatcher, &QFutureWatcher<MemoryBudget>::finished, this, [this] {
    setBudget(m_budgetWatcher.result());
    emit probingBudgetChanged();
  });
  refreshBudget();
}

ModelLibrary::~ModelLibrary()
{
  m_budgetWatcher.waitForFinished();
}

void ModelLibrary::refreshBudget()
{
  if (m_budgetWatcher.isRunning())
    return;
  m_budgetWatcher.setFuture(QtConcurrent::run([] { return probeMemoryBudget(); }));
  emit probingBudgetChanged();
}

void ModelLibrary::setBudget(const MemoryBudget &budget)
{
  m_budget = budget;
  m_catalog.setMemoryBudget(budget.bytes);
  emit budgetChanged();
}

int ModelLibrary::downloadCatalogEntry(int row)
{
  if (row < 0 || row >= m_catalog.rowCount())
    return -1;
  const CatalogEntry &e = m_catalog.entries()[size_t(row)];
  return m_downloads.download(e.repo, e.file);
}

bool ModelLibrary::isInstalled(const QString &file) const
{
  return m_installed.rowOf(file) >= 0;
}

QString ModelLibrary::setToken(const QString &token)
{
  const Status saved = saveToken(token);
  if (!saved)
    return QString::fromStdString(saved.error().message);
  m_downloads.setToken(token.trimmed());
  m_search.setToken(token.trimmed());
  m_hasToken = !token.trimmed().isEmpty();
  m_tokenStorage = storageName(tokenLocation());
  emit tokenChanged();
  return {};
}

} // namespace hearth::library
