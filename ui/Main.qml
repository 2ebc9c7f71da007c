// The Hearth window: sidebar | header, chat column and composer. The C++ side (main.cpp)
// hands in the engine, the chat controller and the model library. Settings persist.
import QtQuick
import QtQuick.Controls
import Qt.labs.settings
import Hearth

ApplicationWindow {
    id: root

    required property EngineController engine
    required property ChatController chat
    required property var library
    property string storeNotice: ""
    property string themeName: "" // overrides prefs.theme when set (scripted runs)
    property var editingMessageId: null

    width: 1280
    height: 800
    minimumWidth: 640
    minimumHeight: 480
    visible: true
    title: root.chat.conversationTitle.length > 0 ? root.chat.conversationTitle + " — Hearth" : "Hearth"
    color: Theme.background

    SystemPalette { id: system }
    Settings {
        id: prefs
        property string systemPrompt: ""
        property real temperature: 0.7
        property real topP: 0.95
        property int topK: 40
        property real minP: 0.05
        property real repeatPenalty: 1.1
        property int maxTokens: 1024
        property int seed: -1
        property int contextLength: 4096
        property string theme: "system"
        property real fontScale: 1.0
        property bool sidebarVisible: true
    }
    Binding { target: Theme; property: "fontScale"; value: prefs.fontScale }
    Binding {
        target: Theme; property: "dark"
        value: {
            const t = root.themeName.length > 0 ? root.themeName : prefs.theme
            return t === "dark" || (t === "system" && system.window.hslLightness < 0.5)
        }
    }
    Binding { target: root.chat; property: "systemPrompt"; value: prefs.systemPrompt }
    Binding {
        target: root.chat; property: "settings"
        value: ({ temperature: prefs.temperature, topP: prefs.topP, topK: prefs.topK,
                  minP: prefs.minP, repeatPenalty: prefs.repeatPenalty,
                  maxTokens: prefs.maxTokens, seed: prefs.seed })
    }
    Binding { target: root.chat; property: "contextLength"; value: prefs.contextLength }
    function useDemoModel() {
        const path = root.chat.demoModelPath
        root.chat.loadModel(path)
        root.library.installed.importModel(path, 0) // a copy in the models folder for next time
    }

    function newChat() { root.chat.newChat(); root.editingMessageId = null; composer.focusInput() }
    function beginEdit(id, text) { root.editingMessageId = id; composer.text = text; composer.focusInput() }
    function submit(text) {
        if (root.editingMessageId !== null) {
            root.chat.editAndResend(root.editingMessageId, text)
            root.editingMessageId = null
        } else {
            root.chat.send(text)
        }
        chatView.scrollToEnd()
    }

    Shortcut { sequence: "Ctrl+N"; onActivated: root.newChat() }
    Shortcut { sequences: ["Ctrl+K", "Ctrl+F"]; onActivated: { prefs.sidebarVisible = true; sidebar.focusSearch() } }
    Shortcut { sequence: "Esc"; enabled: root.chat.streaming; onActivated: root.chat.stop() }
    Shortcut { sequence: "Ctrl+Shift+C"; onActivated: root.chat.copyToClipboard(root.chat.lastReplyText()) }
    Shortcut { sequence: "Ctrl+,"; onActivated: settingsDialog.open() }
    Shortcut { sequence: "Ctrl+M"; onActivated: modelsPage.active = !modelsPage.active }
    Shortcut { sequence: "Ctrl+E"; onActivated: exportDialog.open() }

    function showToast(text) { toast.text = text; toastTimer.restart() }

    Sidebar {
        id: sidebar
        objectName: "sidebar"
        width: prefs.sidebarVisible ? Theme.sidebarWidth : 0
        visible: prefs.sidebarVisible
        height: parent.height
        chat: root.chat
        onNewChatRequested: root.newChat()
    }
    Rectangle { x: sidebar.width; width: 1; height: parent.height; color: Theme.border; visible: sidebar.visible }

    Item {
        id: main
        anchors.left: sidebar.right
        anchors.right: parent.right
        anchors.top: parent.top
        anchors.bottom: parent.bottom

        Header {
            id: header
            objectName: "header"
            width: parent.width
            engine: root.engine
            library: root.library
            onModelChosen: (path) => root.chat.loadModel(path)
            onSettingsRequested: settingsDialog.open()
            onExportRequested: exportDialog.open()
            onSidebarToggled: prefs.sidebarVisible = !prefs.sidebarVisible
        }

        ChatView {
            id: chatView
            anchors.top: header.bottom
            anchors.bottom: notice.top
            width: parent.width
            chat: root.chat
            visible: count > 0
            onEditRequested: (id, text) => root.beginEdit(id, text)
        }
        EmptyState {
            anchors.fill: chatView
            visible: chatView.count === 0
            hasModel: root.engine.state === EngineController.Ready || root.engine.state === EngineController.Generating
            loading: root.engine.state === EngineController.Loading
            error: root.engine.state === EngineController.Failed ? root.engine.lastError : root.storeNotice
            demoPath: root.chat.demoModelPath
            onLibraryRequested: modelsPage.active = true
            onDemoRequested: root.useDemoModel()
        }

        Text {
            id: notice
            anchors.bottom: editBanner.top
            anchors.horizontalCenter: parent.horizontalCenter
            width: composer.width
            height: text.length > 0 ? implicitHeight + Theme.sp(2) : 0
            text: root.chat.notice
            color: Theme.danger
            wrapMode: Text.Wrap
            font.pixelSize: Theme.fontSmall
        }
        Row {
            id: editBanner
            anchors.bottom: composer.top
            anchors.bottomMargin: visible ? Theme.sp(1) : 0
            x: composer.x
            height: visible ? implicitHeight : 0
            visible: root.editingMessageId !== null
            spacing: Theme.sp(2)
            Text { anchors.verticalCenter: parent.verticalCenter; text: qsTr("Editing a message: sending makes a new branch"); color: Theme.muted; font.pixelSize: Theme.fontSmall }
            HButton { flat: true; text: qsTr("Cancel"); onClicked: { root.editingMessageId = null; composer.text = "" } }
        }
        Composer {
            id: composer
            objectName: "composer"
            anchors.bottom: parent.bottom
            anchors.bottomMargin: Theme.sp(4)
            anchors.horizontalCenter: parent.horizontalCenter
            width: Math.min(parent.width - Theme.sp(8), Theme.columnMaxWidth + Theme.sp(8))
            generating: root.chat.streaming
            onSendRequested: (text) => root.submit(text)
            onStopRequested: root.chat.stop()
            onEditLastRequested: {
                const id = root.chat.lastUserMessageId()
                if (id > 0) root.beginEdit(id, root.chat.lastUserText())
            }
        }
    }

    // The model library (Ctrl+M, or the empty state's button) over the chat column.
    Loader {
        id: modelsPage
        anchors.fill: main
        active: false
        sourceComponent: Rectangle {
            color: Theme.background
            HButton {
                id: back
                x: Theme.sp(4)
                y: Theme.sp(2)
                iconName: "chevron-left"
                text: qsTr("Back to chat")
                Accessible.name: qsTr("Back to chat")
                onClicked: modelsPage.active = false
            }
            ModelsPage {
                anchors.fill: parent
                anchors.topMargin: back.y + back.height + Theme.sp(2)
                library: root.library
                onUseRequested: path => { root.chat.loadModel(path); modelsPage.active = false }
                Component.onCompleted: root.library.catalog.contextLength = prefs.contextLength
            }
        }
    }

    SettingsDialog {
        id: settingsDialog
        objectName: "settingsDialog"
        prefs: prefs
        chat: root.chat
        onClosed: root.chat.applyContextLength()
    }
    ExportDialog {
        id: exportDialog
        objectName: "exportDialog"
        chat: root.chat
        onExported: (path) => root.showToast(qsTr("Exported to %1").arg(path))
    }
    Rectangle { // a short confirmation (export), above the composer
        id: toastBox
        anchors.horizontalCenter: main.horizontalCenter
        y: root.height - composer.height - Theme.sp(10) - height
        width: Math.min(toast.implicitWidth + Theme.sp(8), main.width - Theme.sp(8))
        height: toast.implicitHeight + Theme.sp(4)
        radius: Theme.radiusCard
        color: Theme.surface
        border.color: Theme.border
        visible: toastTimer.running
        Text {
            id: toast
            objectName: "toast"
            anchors.centerIn: parent
            width: parent.width - Theme.sp(8)
            elide: Text.ElideMiddle
            horizontalAlignment: Text.AlignHCenter
            color: Theme.text
            font.pixelSize: Theme.fontSmall
            Accessible.role: Accessible.StatusBar
            Accessible.name: text
        }
        Timer { id: toastTimer; interval: 5000 }
    }
    Component.onCompleted: composer.focusInput()
}
