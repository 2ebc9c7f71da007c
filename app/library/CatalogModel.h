// The catalog as a list model for the Models page: one row per curated model with a
// fit badge computed from the device memory budget and the chosen context length.
#pragma once

#include "library/Catalog.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

namespace hearth::library {

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

  const std::vector<CatalogEntry> &entries() const { return m_entries; }
  Q_INVOKABLE QVariantMap get(int row) const;
  FitVerdict fit(int row) const;

signals:
  void memoryBudgetChanged();
  void contextLengthChanged();

private:
  uint32_t contextFor(const CatalogEntry &e) const;

  std::vector<CatalogEntry> m_entries;
  qint64 m_memoryBudget = 0;
  int m_contextLength = 4096;
  QString m_error;
};

} // namespace hearth::library
