#include "library/MemoryBudget.h"

#include "hearth/backend.h"

namespace hearth::library {

MemoryBudget probeMemoryBudget(const QString &backend)
{
  MemoryBudget budget;
  LoadOptions options;
  const auto kind = parseBackendName(backend.toStdString());
  if (!kind) {
    budget.error = QStringLiteral("[budget] unknown backend '%1'").arg(backend);
    return budget;
  }
  options.backend = *kind;
  auto choice = chooseBackend(options);
  if (!choice) {
    budget.error = QString::fromStdString(choice.error().message);
    return budget;
  }
  budget.bytes = qint64(std::min<uint64_t>(choice->memoryBudget, uint64_t(INT64_MAX)));
  budget.backend = QString::fromUtf8(backendName(choice->kind));
  budget.deviceName = QString::fromStdString(choice->deviceName);
  budget.reason = QString::fromStdString(choice->reason);
  if (budget.bytes == 0)
    budget.error = QStringLiteral("[budget] %1 reports no memory budget").arg(budget.deviceName);
  return budget;
}

QString describeBudget(const MemoryBudget &budget)
{
  if (budget.bytes <= 0)
    return {};
  const QString where = budget.backend == QLatin1String("vulkan")
                          ? QStringLiteral("on %1 (Vulkan)").arg(budget.deviceName)
                          : QStringLiteral("of RAM for the CPU backend (%1)").arg(budget.deviceName);
  return QStringLiteral("%1 GB %2").arg(double(budget.bytes) / 1e9, 0, 'f', 1).arg(where);
}

} // namespace hearth::library
