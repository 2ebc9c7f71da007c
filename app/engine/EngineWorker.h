// Lives on the engine thread and owns everything of the engine: the loaded model (and
// with it every Vulkan object), its tokenizer, chat template and chat session. Requests
// arrive as queued slot calls from EngineController; replies leave as queued signals.
#pragma once

#include "engine/EngineTypes.h"

#include <QObject>

#include <memory>

namespace hearth {

class EngineWorker : public QObject {
  Q_OBJECT
public:
  // `cancel` is owned by the controller; set from the GUI thread, read here per token.
  explicit EngineWorker(CancelState *cancel, QObject *parent = nullptr);
  ~EngineWorker() override;

public slots:
  void load(const QString &path, int contextLength, const QString &backend);
  void unload();
  void generate(const hearth::GenerationRequest &request);

signals:
  void loadProgress(double fraction);
  void loaded(const hearth::LoadedModelInfo &info);
  void loadFailed(const QString &error);
  void unloaded();
  void textPiece(quint64 id, const QString &text);
  void reasoningPiece(quint64 id, const QString &text);
  void finished(const hearth::GenerationResult &result);
  void failed(quint64 id, const QString &error);

private:
  struct State;
  std::unique_ptr<State> m_state;
  CancelState *m_cancel;
};

} // namespace hearth
