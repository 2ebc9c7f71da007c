# app/library: sources of hearth_app (model catalog, Hugging Face downloads, installed models).
target_sources(hearth_app PRIVATE
  library/Fit.h library/Fit.cpp
  library/Catalog.h library/Catalog.cpp
  library/CatalogModel.h library/CatalogModel.cpp
  library/ModelPaths.h library/ModelPaths.cpp
  library/HubApi.h library/HubApi.cpp library/TokenStore.cpp
  library/DiskBudget.h library/DiskBudget.cpp
  library/Download.h library/Download.cpp
  library/DownloadManager.h library/DownloadManager.cpp
  library/ModelFacts.h library/ModelFacts.cpp
  library/InstalledModels.h library/InstalledModels.cpp
  library/HubSearch.h library/HubSearch.cpp
  library/MemoryBudget.h library/MemoryBudget.cpp
  library/ModelLibrary.h library/ModelLibrary.cpp
)
# The curated catalog, built in as qrc:/hearth/catalog.json.
qt_add_resources(hearth_app hearth_catalog
  PREFIX /hearth
  BASE ${PROJECT_SOURCE_DIR}/resources
  FILES ${PROJECT_SOURCE_DIR}/resources/catalog.json)
# qmltyperegistrar includes QML_ELEMENT headers by bare file name.
target_include_directories(hearth_app PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/library)
