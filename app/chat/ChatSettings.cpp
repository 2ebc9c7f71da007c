// ChatController, per conversation: its own system prompt and generation settings over
// the window's defaults, and its model (opening a conversation that used another
// installed model loads that one).
#include "chat/ChatController.h"

#include "engine/EngineController.h"
#include "library/ModelPaths.h"
#include "store/ConversationStore.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonObject>

namespace hearth {

namespace {
QString fileName(const QString &path) { return path.section(QLatin1Char('/'), -1); }
} // namespace

void ChatController::readConversationSettings()
{
  QString prompt;
  QVariantMap settings;
  QString model;
  if (m_conversationId != 0) {
    if (auto c = m_store->conversation(m_conversationId)) {
      prompt = c->systemPrompt;
      settings = c->settings.toVariantMap();
      model = c->model;
    }
  }
  if (prompt == m_convSystemPrompt && settings == m_convSettings && model == m_convModel)
    return;
  m_convSystemPrompt = prompt;
  m_convSettings = settings;
  m_convModel = model;
  emit conversationSettingsChanged();
}

void ChatController::setConversationOverrides(const QString &systemPrompt, const QVariantMap &settings)
{
  if (m_conversationId == 0)
    return;
  if (auto s = m_store->setModelSettings(m_conversationId, m_convModel, systemPrompt,
                                         QJsonObject::fromVariantMap(settings));
      !s)
    setNotice(tr("Could not save the conversation's settings: %1").arg(QString::fromStdString(s.error().message)));
  readConversationSettings(); // conversationChanged may not come for an unchanged row
}

QVariantMap ChatController::effectiveSettings() const
{
  QVariantMap s = m_settings;
  for (auto it = m_convSettings.cbegin(); it != m_convSettings.cend(); ++it)
    s.insert(it.key(), it.value());
  for (auto it = m_forced.cbegin(); it != m_forced.cend(); ++it)
    s.insert(it.key(), it.value());
  return s;
}

void ChatController::setContextLength(int tokens)
{
  tokens = qBound(256, tokens, 1 << 20);
  if (tokens == m_contextLength)
    return;
  m_contextLength = tokens;
  emit settingsChanged();
}

void ChatController::loadModel(const QString &path)
{
  if (path.isEmpty())
    return;
  stop();
  m_loadedContextLength = m_contextLength;
  m_engine->load(path, m_contextLength);
  if (m_conversationId != 0 && fileName(path) != m_convModel)
    (void)m_store->setModelSettings(m_conversationId, fileName(path), m_convSystemPrompt,
                                    QJsonObject::fromVariantMap(m_convSettings));
  readConversationSettings();
}

void ChatController::applyContextLength()
{
  if (!m_engine->modelPath().isEmpty() && m_contextLength != m_loadedContextLength
      && m_engine->state() != EngineController::Loading)
    loadModel(m_engine->modelPath());
}

// The open conversation's model, when it is installed and not the loaded one.
void ChatController::switchToConversationModel()
{
  if (m_convModel.isEmpty() || m_convModel == fileName(m_engine->modelPath()))
    return;
  const QString path = QDir(library::modelsDir()).filePath(m_convModel);
  if (!QFileInfo::exists(path)) {
    if (!m_engine->modelPath().isEmpty())
      setNotice(tr("This conversation used %1, which is not installed; replies use %2.")
                    .arg(m_convModel, fileName(m_engine->modelPath())));
    return;
  }
  setNotice({});
  stop();
  m_loadedContextLength = m_contextLength;
  m_engine->load(path, m_contextLength);
}

// A conversation's model is the one it was last answered with.
void ChatController::rememberModel()
{
  const QString loaded = fileName(m_engine->modelPath());
  if (m_conversationId == 0 || loaded.isEmpty() || loaded == m_convModel)
    return;
  (void)m_store->setModelSettings(m_conversationId, loaded, m_convSystemPrompt,
                                  QJsonObject::fromVariantMap(m_convSettings));
  readConversationSettings();
}

} // namespace hearth
