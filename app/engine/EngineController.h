// The GUI side of the engine: owns the engine thread and its EngineWorker, turns QML
// calls into queued requests and the worker's replies into properties and signals.
// Never waits on the engine; quitting sets the cancel flag, then quit() and wait().
#pragma once

#include "engine/EngineTypes.h"

#include <QObject>
#include <QThread>
#include <QVariantList>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

namespace hearth {

class EngineWorker;

class EngineController : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("EngineController is created by the application")
  Q_PROPERTY(State state READ state NOTIFY stateChanged)
  Q_PROPERTY(double loadProgress READ loadProgress NOTIFY loadProgressChanged)
  Q_PROPERTY(QString modelPath READ modelPath NOTIFY modelChanged)
  Q_PROPERTY(QString modelName READ modelName NOTIFY modelChanged)
  Q_PROPERTY(QString quantization READ quantization NOTIFY modelChanged)
  Q_PROPERTY(qint64 modelBytes READ modelBytes NOTIFY modelChanged)
  Q_PROPERTY(int contextLength READ contextLength NOTIFY modelChanged)
  Q_PROPERTY(QString backend READ backend NOTIFY modelChanged)
  Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)
  Q_PROPERTY(bool generating READ generating NOTIFY stateChanged)

public:
  enum State { NoModel, Loading, Ready, Generating, Failed };
  Q_ENUM(State)

  explicit EngineController(QObject *parent = nullptr);
  ~EngineController() override;

  State state() const { return m_state; }
  double loadProgress() const { return m_loadProgress; }
  QString modelPath() const { return m_model.path; }
  QString modelName() const { return m_model.name; }
  QString quantization() const { return m_model.quantization; }
  qint64 modelBytes() const { return m_model.fileBytes; }
  int contextLength() const { return m_model.contextLength; }
  QString backend() const { return m_model.backend; }
  QString lastError() const { return m_lastError; }
  bool generating() const { return m_state == Generating; }

  // backend: "auto", "vulkan" or "cpu". Loading while a model is loaded replaces it
  // (the old one is unloaded first and its device memory freed).
  Q_INVOKABLE void load(const QString &path, int contextLength = 4096, const QString &backend = QStringLiteral("auto"));
  Q_INVOKABLE void unload();
  // messages: [{role, content}], settings: GenerationSettings' fields by name.
  // Returns the request id that the reply signals carry.
  Q_INVOKABLE quint64 generate(const QVariantList &messages, const QVariantMap &settings = {});
  quint64 generate(const QList<ChatTurn> &messages, const GenerationSettings &settings);
  // Stops every request issued so far, within one token.
  Q_INVOKABLE void cancel();

  // Cancels, stops the thread and waits for it. Called by the destructor.
  void shutdown();

  static GenerationSettings settingsFromMap(const QVariantMap &map);
  static QVariantMap resultToMap(const GenerationResult &result);

signals:
  void stateChanged();
  void loadProgressChanged();
  void modelChanged();
  void lastErrorChanged();
  void loaded();
  void loadFailed(const QString &error);
  void textPiece(quint64 id, const QString &text);
  void reasoningPiece(quint64 id, const QString &text);
  void finished(quint64 id, const QVariantMap &stats);
  void generationFinished(const hearth::GenerationResult &result);
  void failed(quint64 id, const QString &error);

  // To the worker (queued).
  void requestLoad(const QString &path, int contextLength, const QString &backend);
  void requestUnload();
  void requestGenerate(const hearth::GenerationRequest &request);

private:
  void setState(State state);
  void setError(const QString &error);

  QThread m_thread;
  EngineWorker *m_worker = nullptr;
  CancelState m_cancel;
  quint64 m_nextId = 1;
  int m_pending = 0; // generations issued and not yet finished
  State m_state = NoModel;
  double m_loadProgress = 0;
  LoadedModelInfo m_model;
  QString m_lastError;
};

} // namespace hearth
