# app/chat: sources of hearth_app (the controller tying the store to the engine, and the
# scripted run the end-to-end test drives the window with).
target_sources(hearth_app PRIVATE
  chat/ChatController.h chat/ChatController.cpp chat/ChatExport.cpp chat/ChatSettings.cpp
  chat/UiScript.h chat/UiScript.cpp chat/UiBench.cpp
  chat/Startup.h chat/Startup.cpp
)
# qmltyperegistrar includes QML_ELEMENT headers by bare file name.
target_include_directories(hearth_app PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/chat)
