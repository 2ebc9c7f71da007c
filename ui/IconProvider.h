// Hearth's icons (ui/icons/*.svg: 24x24, one stroke weight, drawn in "currentColor"),
// tinted for the theme. QML: Icon { name: "menu"; color: Theme.text } which asks for
// image://hearthicon/<name>/<rrggbb>. Register once per QML engine.
#pragma once

#include <QQuickImageProvider>

class QQmlEngine;

namespace hearth {

class IconProvider : public QQuickImageProvider {
public:
  IconProvider();
  // id: "<name>/<rrggbb>" or "<name>/<aarrggbb>". An unknown name gives a null image.
  QImage requestImage(const QString &id, QSize *size, const QSize &requestedSize) override;
  static void install(QQmlEngine *engine);
};

} // namespace hearth
