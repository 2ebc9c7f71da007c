// One object for the Models page: the catalog (with fit badges), Hugging Face search,
// the downloads and the installed models, wired together (a finished download shows
// up among the installed models). QML:  ModelLibrary { id: library }  then
// library.catalog, library.search, library.downloads, library.installed.
#pragma once

#include "library/CatalogModel.h"
#include "library/DownloadManager.h"
#include "library/HubSearch.h"
#include "library/InstalledModels.h"

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

public:
  explicit ModelLibrary(QObject *parent = nullptr);

  CatalogModel *catalog() { return &m_catalog; }
  HubSearch *search() { return &m_search; }
  DownloadManager *downloads() { return &m_downloads; }
  InstalledModels *installed() { return &m_installed; }
  bool hasToken() const { return m_hasToken; }

  // Downloads the catalog entry at `row`; returns the downloads row.
  Q_INVOKABLE int downloadCatalogEntry(int row);
  // Whether the catalog entry's file is already in the models directory.
  Q_INVOKABLE bool isInstalled(const QString &file) const;
  // Stores the Hugging Face token (0600 file); an empty token removes it. Returns an
  // error message, empty on success.
  Q_INVOKABLE QString setToken(const QString &token);

signals:
  void tokenChanged();

private:
  CatalogModel m_catalog;
  HubSearch m_search;
  DownloadManager m_downloads;
  InstalledModels m_installed;
  bool m_hasToken = false;
};

} // namespace hearth::library
