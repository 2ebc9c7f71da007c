// The memory a model may use on this machine, as the engine's backend choice reports it:
// the Vulkan device's budget when a GPU runs the model, the RAM available now when the
// native CPU backend does (the case on a lavapipe-only machine). The catalog's fit badges
// compare each model's need (Fit.h) with `bytes`.
//
//   MemoryBudget b = probeMemoryBudget(QStringLiteral("auto")); // "auto", "vulkan", "cpu"
//   if (b.error.isEmpty()) show(b.bytes, b.deviceName, b.backend);
//
// Probing creates a Vulkan instance (tens to hundreds of milliseconds): ModelLibrary runs
// it on a worker thread. HEARTH_BACKEND, HEARTH_DEVICE, HEARTH_VK_BUDGET and
// HEARTH_CPU_BUDGET act here exactly as they do when a model loads.
#pragma once

#include <QString>

namespace hearth::library {

struct MemoryBudget {
  qint64 bytes = 0;      // 0 when unknown (then `error` says why)
  QString backend;       // "vulkan", "cpu", "reference"
  QString deviceName;    // "NVIDIA GeForce RTX 4070" / the CPU's model name
  QString reason;        // why this backend was chosen
  QString error;         // empty on success
};

MemoryBudget probeMemoryBudget(const QString &backend = QStringLiteral("auto"));

// "15.8 GB on the CPU (Intel Xeon …)": one line for the Models page; empty when unknown.
QString describeBudget(const MemoryBudget &budget);

} // namespace hearth::library
