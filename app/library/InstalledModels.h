// The models in the models directory, with the facts read from each GGUF header.
// Import validates a file with the GGUF reader before accepting it, then copies,
// moves or links it in; an invalid file is refused with the reader's error.
#pragma once

#include "library/ModelFacts.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

#include <vector>

namespace hearth::library {

class InstalledModels : public QAbstractListModel {
  Q_OBJECT
  QML_ELEMENT
  Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
  Q_PROPERTY(QString directory READ directory CONSTANT)
  // File name of the model new conversations use; persisted in <models>/.default-model.
  Q_PROPERTY(QString defaultModel READ defaultModel WRITE setDefaultModel NOTIFY defaultModelChanged)

public:
  // On disk? No: only passed from QML. Values fixed for QML code anyway.
  enum ImportMode { Copy = 0, Move = 1, Link = 2 };
  Q_ENUM(ImportMode)

  enum Role {
    FileNameRole = Qt::UserRole + 1, PathRole, FileSizeRole, ValidRole, ErrorRole,
    ArchitectureRole, ModelNameRole, ParametersRole, QuantRole, ContextLengthRole,
    SupportedRole, IsDefaultRole,
  };

  explicit InstalledModels(QObject *parent = nullptr); // modelsDir()
  InstalledModels(QString dir, QObject *parent = nullptr);

  int rowCount(const QModelIndex &parent = {}) const override;
  QVariant data(const QModelIndex &index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;

  QString directory() const { return m_dir; }
  QString defaultModel() const { return m_default; }
  void setDefaultModel(const QString &fileName);

  Q_INVOKABLE void refresh();
  // Runs on a worker thread; importFinished reports the outcome. Accepts a path or a
  // file:// URL (drag and drop).
  Q_INVOKABLE void importModel(const QString &pathOrUrl, int mode = Copy);
  Q_INVOKABLE QString remove(const QString &fileName); // error message, empty on success
  Q_INVOKABLE void reveal(const QString &fileName) const; // opens the file manager
  Q_INVOKABLE qint64 memoryNeeded(int row, int contextLength) const;
  int rowOf(const QString &fileName) const;
  const ModelFacts *facts(int row) const; // nullptr for an invalid file

  // The synchronous work behind importModel/remove (also used by the command line).
  static Result<QString> importFile(const QString &source, const QString &dir, ImportMode mode);
  static Status removeFile(const QString &dir, const QString &fileName);

signals:
  void countChanged();
  void defaultModelChanged();
  void importFinished(const QString &fileName, const QString &error);

private:
  struct Entry {
    QString fileName;
    QString error; // empty when valid
    ModelFacts facts;
  };
  QString m_dir;
  QString m_default;
  std::vector<Entry> m_entries;
};

} // namespace hearth::library
