#include "engine/EngineWorker.h"

#include "hearth/chat_session.h"
#include "hearth/gguf.h"
#include "hearth/model.h"
#include "hearth/tokenizer.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QRandomGenerator>

#include <map>
#include <optional>

namespace hearth {

struct EngineWorker::State {
  std::unique_ptr<Model> model;
  std::optional<runtime::ChatSession> session;
};

namespace {

// The most common weight type among matrices: what people call the model's quantization.
QString dominantQuantization(const gguf::GgufFile &file)
{
  std::map<TensorType, uint64_t> bytes;
  for (const auto &t : file.tensors())
    if (t.nDims >= 2)
      bytes[t.type] += t.bytes;
  TensorType best = TensorType::F32;
  uint64_t most = 0;
  for (const auto &[type, n] : bytes)
    if (n > most) {
      most = n;
      best = type;
    }
  return QString::fromLatin1(tensorTypeName(best).data(), qsizetype(tensorTypeName(best).size()));
}

BackendKind backendFromName(const QString &name)
{
  if (name == QLatin1String("vulkan"))
    return BackendKind::Vulkan;
  if (name == QLatin1String("cpu"))
    return BackendKind::Cpu;
  return BackendKind::Auto;
}

QString fromStd(std::string_view s)
{
  return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

runtime::GenerateRequest toEngineRequest(const GenerationRequest &request, uint64_t seed)
{
  runtime::GenerateRequest r;
  for (const ChatTurn &t : request.messages)
    r.messages.push_back({t.role.toStdString(), t.content.toStdString(), std::nullopt});
  const GenerationSettings &s = request.settings;
  r.sampling.temperature = float(s.temperature);
  r.sampling.topK = s.topK;
  r.sampling.topP = float(s.topP);
  r.sampling.minP = float(s.minP);
  r.sampling.repeatPenalty = float(s.repeatPenalty);
  r.sampling.presencePenalty = float(s.presencePenalty);
  r.sampling.frequencyPenalty = float(s.frequencyPenalty);
  r.sampling.penaltyWindow = s.penaltyWindow;
  r.sampling.seed = seed;
  r.maxTokens = uint32_t(std::max(1, s.maxTokens));
  for (const QString &stop : s.stopStrings)
    r.stopStrings.push_back(stop.toStdString());
  return r;
}

} // namespace

EngineWorker::EngineWorker(CancelState *cancel, QObject *parent)
    : QObject(parent), m_state(std::make_unique<State>()), m_cancel(cancel)
{
}

EngineWorker::~EngineWorker() = default;

void EngineWorker::load(const QString &path, int contextLength, const QString &backend)
{
  unload();
  QElapsedTimer timer;
  timer.start();
  const std::string file = QFile::encodeName(path).toStdString();

  auto gguf = gguf::GgufFile::open(file);
  if (!gguf) {
    emit loadFailed(fromStd(gguf.error().message));
    return;
  }
  auto tokenizer = tokenizer::Tokenizer::fromGguf(*gguf);
  if (!tokenizer) {
    emit loadFailed(fromStd(tokenizer.error().message));
    return;
  }
  std::optional<tmpl::ChatTemplate> chatTemplate;
  if (auto source = gguf->getString("tokenizer.chat_template")) {
    if (auto parsed = tmpl::ChatTemplate::parse(*source, QFileInfo(path).fileName().toStdString()))
      chatTemplate = std::move(*parsed);
    else
      qWarning("hearth: %s; using ChatML", parsed.error().message.c_str());
  }

  LoadOptions options;
  options.backend = backendFromName(backend);
  options.contextLength = uint32_t(std::max(256, contextLength));
  options.cancel = &m_cancel->loading;
  options.progress = [this](float f) { emit loadProgress(double(f)); };
  auto model = loadModel(file, options);
  if (!model) {
    emit loadFailed(fromStd(model.error().message));
    return;
  }

  LoadedModelInfo info;
  info.path = path;
  const auto name = gguf->getString("general.name");
  info.name = name ? fromStd(*name) : QFileInfo(path).completeBaseName();
  info.architecture = fromStd((*model)->config().architecture);
  info.quantization = dominantQuantization(*gguf);
  info.fileBytes = qint64(gguf->fileSize());
  info.contextLength = int((*model)->contextLength());
  info.backend = fromStd((*model)->backendDescription());
  info.loadSeconds = double(timer.elapsed()) / 1000.0;

  m_state->model = std::move(*model);
  m_state->session.emplace(*m_state->model, std::move(*tokenizer), std::move(chatTemplate));
  emit loaded(info);
}

void EngineWorker::unload()
{
  const bool had = m_state->model != nullptr;
  m_state->session.reset();
  m_state->model.reset(); // frees the device memory
  if (had)
    emit unloaded();
}

void EngineWorker::generate(const GenerationRequest &request)
{
  m_cancel->flag.store(false);
  if (request.id <= m_cancel->through.load()) {
    GenerationResult cancelled;
    cancelled.id = request.id;
    cancelled.stopReason = QStringLiteral("cancelled");
    emit finished(cancelled);
    return;
  }
  if (!m_state->session) {
    emit failed(request.id, tr("No model is loaded."));
    return;
  }
  const uint64_t seed = request.settings.seed >= 0 ? uint64_t(request.settings.seed)
                                                   : QRandomGenerator::global()->generate64() >> 1;
  runtime::StreamCallbacks callbacks;
  const quint64 id = request.id;
  callbacks.onText = [this, id](std::string_view text) { emit textPiece(id, fromStd(text)); };
  callbacks.onReasoning = [this, id](std::string_view text) { emit reasoningPiece(id, fromStd(text)); };

  auto stats = m_state->session->generate(toEngineRequest(request, seed), callbacks, m_cancel->flag);
  if (!stats) {
    emit failed(id, fromStd(stats.error().message));
    return;
  }
  GenerationResult r;
  r.id = id;
  r.promptTokens = int(stats->promptTokens);
  r.reusedTokens = int(stats->reusedTokens);
  r.prefilledTokens = int(stats->prefilledTokens);
  r.generatedTokens = int(stats->generatedTokens);
  r.droppedMessages = int(stats->droppedMessages);
  r.timeToFirstTokenMs = stats->timeToFirstTokenMs;
  r.prefillTokensPerSecond = stats->prefillTokensPerSecond;
  r.generationTokensPerSecond = stats->generationTokensPerSecond;
  r.reasoningMs = stats->reasoningMs;
  r.stopReason = fromStd(runtime::stopReasonName(stats->stopReason));
  r.seed = qint64(seed);
  emit finished(r);
}

} // namespace hearth
