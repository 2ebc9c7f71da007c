// Clicking a search hit opens its conversation scrolled to the message (not the
// bottom), lights it up briefly, and switches to the hit's branch when it is on another.
import QtQuick
import QtTest
import Hearth.Ui

Item {
    id: root
    width: 1000; height: 600

    Sidebar { id: sidebar; width: 280; height: parent.height; chat: chatController }
    ChatView { id: view; x: 281; width: 719; height: parent.height; chat: chatController }

    TestCase {
        name: "SearchReveal"
        when: windowShown

        function hitFor(query) {
            chatController.openConversation(fixture.otherId)
            sidebar.searchField.text = ""
            sidebar.searchField.text = query
            const results = findChild(sidebar, "searchResults")
            tryCompare(results, "count", 1)
            waitForRendering(results)
            return results.itemAtIndex(0)
        }

        function visibleInView(item) {
            return item.y + item.height > view.contentY && item.y < view.contentY + view.height
        }

        function test_1_hitScrollsToTheMessage() {
            compare(chatController.conversationId, fixture.otherId)
            mouseClick(hitFor("quokka"))
            compare(chatController.conversationId, fixture.longId)
            tryCompare(view, "highlightedId", fixture.quokkaId)
            const row = view.model.rowOfMessage(fixture.quokkaId)
            compare(row, 6)
            // The delegates lay out over the next frames (slowly on a loaded machine).
            tryVerify(() => view.itemAtIndex(row) !== null && visibleInView(view.itemAtIndex(row)), 5000,
                      "the hit is in sight")
            const item = view.itemAtIndex(row)
            verify(!view.atYEnd, "the view did not jump to the bottom")
            tryVerify(() => findChild(item, "hitHighlight").visible, 2000, "the hit lights up") // fades in
            // The highlight fades after about two seconds.
            tryCompare(view, "highlightedId", null, 4000)
            tryVerify(() => !findChild(item, "hitHighlight").visible, 3000)
        }

        function test_2_hitOnAnotherBranchSwitchesToIt() {
            compare(view.model.rowOfMessage(fixture.wombatId), -1)
            mouseClick(hitFor("wombat"))
            compare(chatController.conversationId, fixture.longId)
            const row = view.model.rowOfMessage(fixture.wombatId)
            verify(row > 0, "the wombat branch is shown")
            tryCompare(view, "highlightedId", fixture.wombatId)
            tryVerify(() => view.itemAtIndex(row) !== null && visibleInView(view.itemAtIndex(row)), 5000,
                      "the wombat hit is in sight")
        }
    }
}
