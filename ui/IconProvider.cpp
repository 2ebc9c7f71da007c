#include "IconProvider.h"

#include <QColor>
#include <QFile>
#include <QPainter>
#include <QQmlEngine>
#include <QSvgRenderer>

namespace hearth {

IconProvider::IconProvider() : QQuickImageProvider(QQuickImageProvider::Image) {}

QImage IconProvider::requestImage(const QString &id, QSize *size, const QSize &requestedSize)
{
  const QString name = id.section(QLatin1Char('/'), 0, 0);
  const QColor color(QLatin1Char('#') + id.section(QLatin1Char('/'), 1, 1));
  QFile file(QStringLiteral(":/Hearth/Ui/icons/%1.svg").arg(name));
  if (name.contains(QLatin1Char('.')) || !file.open(QIODevice::ReadOnly))
    return {};
  QByteArray svg = file.readAll();
  svg.replace("currentColor", color.isValid() ? color.name(QColor::HexRgb).toLatin1() : QByteArray("#000000"));
  QSvgRenderer renderer(svg);
  const QSize out = requestedSize.isValid() && !requestedSize.isEmpty() ? requestedSize : QSize(24, 24);
  QImage image(out, QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::transparent);
  QPainter painter(&image);
  if (color.isValid() && color.alpha() < 255)
    painter.setOpacity(color.alphaF());
  renderer.render(&painter);
  painter.end();
  if (size)
    *size = out;
  return image;
}

void IconProvider::install(QQmlEngine *engine)
{
  engine->addImageProvider(QStringLiteral("hearthicon"), new IconProvider);
}

} // namespace hearth
