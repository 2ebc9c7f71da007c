# app/engine: sources of hearth_app.
target_sources(hearth_app PRIVATE
  engine/EngineTypes.h
  engine/EngineController.h engine/EngineController.cpp
  engine/EngineWorker.h engine/EngineWorker.cpp
)
target_include_directories(hearth_app PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/engine) # for the QML type registrations
