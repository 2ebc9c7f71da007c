// Plain values that cross the thread boundary between EngineController (GUI thread)
// and EngineWorker (engine thread) through queued signals.
#pragma once

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <atomic>

namespace hearth {

struct ChatTurn {
  QString role;    // "system", "user", "assistant"
  QString content;
};

struct GenerationSettings {
  double temperature = 0.7;
  int topK = 40;
  double topP = 0.95;
  double minP = 0.05;
  double repeatPenalty = 1.1;
  double presencePenalty = 0.0;
  double frequencyPenalty = 0.0;
  int penaltyWindow = 64;
  qint64 seed = -1; // -1: a fresh random seed per reply
  int maxTokens = 1024;
  QStringList stopStrings;
};

struct GenerationRequest {
  quint64 id = 0;
  QList<ChatTurn> messages;
  GenerationSettings settings;
};

struct GenerationResult {
  quint64 id = 0;
  int promptTokens = 0;
  int reusedTokens = 0;
  int prefilledTokens = 0;
  int generatedTokens = 0;
  int droppedMessages = 0;
  double timeToFirstTokenMs = 0;
  double prefillTokensPerSecond = 0;
  double generationTokensPerSecond = 0;
  double reasoningMs = 0;
  QString stopReason; // "eos", "stop", "length", "context", "cancelled"
  qint64 seed = 0;    // the seed actually used
};

// Cancellation shared by the controller (writes) and the worker (reads). cancel() stores
// the last issued request id in `through`, then sets `flag`; the worker clears `flag`
// before checking a new request's id against `through`, so no cancel is ever lost.
struct CancelState {
  std::atomic<bool> flag{false};
  std::atomic<quint64> through{0};
  std::atomic<bool> loading{false}; // set to abandon a load in progress
};

struct LoadedModelInfo {
  QString path;
  QString name;
  QString architecture;
  QString quantization;
  qint64 fileBytes = 0;
  int contextLength = 0;
  QString backend; // "Vulkan · llvmpipe (LLVM 15.0.6, 256 bits)" / "CPU · ..."
  double loadSeconds = 0;
};

} // namespace hearth

Q_DECLARE_METATYPE(hearth::GenerationRequest)
Q_DECLARE_METATYPE(hearth::GenerationResult)
Q_DECLARE_METATYPE(hearth::LoadedModelInfo)
