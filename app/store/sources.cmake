# app/store: sources of hearth_app.
target_sources(hearth_app PRIVATE
  store/Sqlite.h store/Sqlite.cpp
  store/Schema.h store/Schema.cpp
  store/StoreSql.h store/StoreTypes.h
  store/Recovery.h store/Recovery.cpp
  store/HealthCheck.h store/HealthCheck.cpp
  store/CjkTokenizer.h store/CjkTokenizer.cpp
  store/ConversationStore.h store/ConversationStore.cpp
  store/StoreMessages.cpp store/StoreSearch.cpp
  store/Export.h store/Export.cpp store/ExportJson.cpp store/ImportChatGpt.cpp
)
