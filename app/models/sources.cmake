# app/models: sources of hearth_app.
target_sources(hearth_app PRIVATE
  models/ConversationListModel.h models/ConversationListModel.cpp
  models/MessageListModel.h models/MessageListModel.cpp
)
# QML type registration includes the headers of QML_ELEMENT classes by file name.
target_include_directories(hearth_app PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/models)
