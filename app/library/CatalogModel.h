// The catalog as a list model for the Models page: one row per curated model with a
// fit badge computed from the device memory budget and the chosen context length, and
// (once track() is called) the state of its file: not downloaded, downloading, paused,
// failed or installed, bound to the DownloadManager and InstalledModels.
#pragma once

#include "library/Catalog.h"

#include <QPointer>

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

namespace hearth::library {

class DownloadManager;
class InstalledModels;

class CatalogModel : public QAbstractListModel {
  Q_OBJECT
  QML_ELEMENT
  // Device memory budget in bytes (the engine's device report); 0 = unknown.
  Q_PROPERTY(qint64 memoryBudget READ memoryBudget WRITE setMemoryBudget NOTIFY memoryBudgetChanged)
  // Context length the fit badge assumes (clamped to each model's own maximum).
  Q_PROPERTY(int contextLength READ contextLength WRITE setContextLength NOTIFY contextLengthChanged)
  Q_PROPERTY(int count READ rowCount CONSTANT)
  Q_PROPERTY(QString errorString READ errorString CONSTANT)

public:
  enum Role {
    IdRole = Qt::UserRole + 1, NameRole, RepoRole, FileRole, QuantRole, SizeBytesRole,
    ParametersRole, MaxContextRole, LicenceRole, ArchitectureRole, DescriptionRole,
    SupportedRole, MemoryNeededRole, FitRole, FitLabelRole,
    // "none", "downloading" (queued, checking, receiving or verifying), "paused", "failed",
    // "installed"; the row in the DownloadManager (-1 if none), its progress 0..1, the
    // download's error, and the installed file's path.
    FileStateRole, DownloadRowRole, DownloadProgressRole, DownloadErrorRole, InstalledPathRole,
  };

  explicit CatalogModel(QObject *parent = nullptr); // loads the built-in catalog
  CatalogModel(std::vector<CatalogEntry> entries, QObject *parent = nullptr);

  int rowCount(const QModelIndex &parent = {}) const override;
  QVariant data(const QModelIndex &index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;

  qint64 memoryBudget() const { return m_memoryBudget; }
  void setMemoryBudget(qint64 bytes);
  int contextLength() const { return m_contextLength; }
  void setContextLength(int tokens);
  QString errorString() const { return m_error; }

  // Follows `downloads` and `installed` for the file-state roles (both outlive this).
  void track(const DownloadManager *downloads, const InstalledModels *installed);

  const std::vector<CatalogEntry> &entries() const { return m_entries; }
  Q_INVOKABLE QVariantMap get(int row) const;
  FitVerdict fit(int row) const;

signals:
  void memoryBudgetChanged();
  void contextLengthChanged();

private:
  uint32_t contextFor(const CatalogEntry &e) const;
  QVariant fileData(const CatalogEntry &e, int role) const;
  void fileStatesChanged();

  QPointer<const DownloadManager> m_downloads;
  QPointer<const InstalledModels> m_installed;

  std::vector<CatalogEntry> m_entries;
  qint64 m_memoryBudget = 0;
  int m_contextLength = 4096;
  QString m_error;
};

} // namespace hearth::library
