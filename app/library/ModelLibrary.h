// One object for the Models page: the catalog (with fit badges), Hugging Face search,
// the downloads and the installed models, wired together (a finished download shows
// up among the installed models). QML:  ModelLibrary { id: library }  then
// library.catalog, library.search, library.downloads, library.installed.
//
// The fit badges use the memory budget of the backend the engine would choose
// (MemoryBudget.h), probed on a worker thread when the library is created and again on
// refreshBudget(); until it arrives the badges say "unknown".
#pragma once

#include "library/CatalogModel.h"
#include "library/DownloadManager.h"
#include "library/HubSearch.h"
#include "library/InstalledModels.h"
#include "library/MemoryBudget.h"

#include <QFutureWatcher>
#include <QObject>
#include <QtQml/qqmlregistration.h>

namespace hearth::library {

class ModelLibrary : public QObject {
  Q_OBJECT
  QML_ELEMENT
  Q_PROPERTY(hearth::library::CatalogModel *catalog READ catalog CONSTANT)
  Q_PROPERTY(hearth::library::HubSearch *search READ search CONSTANT)
  Q_PROPERTY(hearth::library::DownloadManager *downloads READ downloads CONSTANT)
  Q_PROPERTY(hearth::library::InstalledModels *installed READ installed CONSTANT)
  Q_PROPERTY(bool hasToken READ hasToken NOTIFY tokenChanged)
  // Where the token is kept: "keyring", "file" or "" (none).
  Q_PROPERTY(QString tokenStorage READ tokenStorage NOTIFY tokenChanged)
  // The memory budget the fit badges compare with (bytes; 0 until probed or on error),
  // the backend ("vulkan", "cpu") and device behind it, why that backend, the probe's
  // error, and a one-line summary for the page ("15.8 GB of RAM for the CPU backend (…)").
  Q_PROPERTY(qint64 memoryBudget READ memoryBudget NOTIFY budgetChanged)
  Q_PROPERTY(QString budgetBackend READ budgetBackend NOTIFY budgetChanged)
  Q_PROPERTY(QString budgetDevice READ budgetDevice NOTIFY budgetChanged)
  Q_PROPERTY(QString budgetReason READ budgetReason NOTIFY budgetChanged)
  Q_PROPERTY(QString budgetError READ budgetError NOTIFY budgetChanged)
  Q_PROPERTY(QString budgetText READ budgetText NOTIFY budgetChanged)
  Q_PROPERTY(bool probingBudget READ probingBudget NOTIFY probingBudgetChanged)

public:
  explicit ModelLibrary(QObject *parent = nullptr);
  ~ModelLibrary() override;

  CatalogModel *catalog() { return &m_catalog; }
  HubSearch *search() { return &m_search; }
  DownloadManager *downloads() { return &m_downloads; }
  InstalledModels *installed() { return &m_installed; }
  bool hasToken() const { return m_hasToken; }
  QString tokenStorage() const { return m_tokenStorage; }
  qint64 memoryBudget() const { return m_budget.bytes; }
  QString budgetBackend() const { return m_budget.backend; }
  QString budgetDevice() const { return m_budget.deviceName; }
  QString budgetReason() const { return m_budget.reason; }
  QString budgetError() const { return m_budget.error; }
  QString budgetText() const { return describeBudget(m_budget); }
  bool probingBudget() const { return m_budgetWatcher.isRunning(); }

  // Probes the budget again (available RAM changes as programs start and stop).
  Q_INVOKABLE void refreshBudget();
  // Uses `budget` instead of probing (tests; a settings override).
  void setBudget(const MemoryBudget &budget);

  // Downloads the catalog entry at `row`; returns the downloads row.
  Q_INVOKABLE int downloadCatalogEntry(int row);
  // Whether the catalog entry's file is already in the models directory.
  Q_INVOKABLE bool isInstalled(const QString &file) const;
  // Stores the Hugging Face token (system keyring, else a 0600 file); an empty token
  // removes it. Returns an
  // error message, empty on success.
  Q_INVOKABLE QString setToken(const QString &token);

signals:
  void tokenChanged();
  void budgetChanged();
  void probingBudgetChanged();

private:
  QFutureWatcher<MemoryBudget> m_budgetWatcher;
  MemoryBudget m_budget;

  CatalogModel m_catalog;
  HubSearch m_search;
  DownloadManager m_downloads;
  InstalledModels m_installed;
  bool m_hasToken = false;
  QString m_tokenStorage;
};

} // namespace hearth::library
