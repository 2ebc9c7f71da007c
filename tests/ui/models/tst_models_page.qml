// The Models page on a real ModelLibrary: HEARTH_DATA_DIR holds two small valid GGUF
// models (tiny-alpha, tiny-beta), and HEARTH_HF_ENDPOINT is a closed port (see
// tst_models_page.cpp). Checks the catalog cards and fit badges, the installed list,
// Delete's confirmation (cancel keeps the file, confirm removes it on disk), and the
// offline state of the search. Saves a screenshot of the page.
import QtQuick
import QtTest
import Hearth
import Hearth.Ui

Item {
    id: top
    width: 1100
    height: 1500

    ModelLibrary { id: lib }
    ModelsPage {
        id: page
        anchors.fill: parent
        library: lib
    }

    TestCase {
        name: "ModelsPage"
        when: windowShown

        function initTestCase() {
            // 3 GB: the small models fit, the 7B+ ones do not.
            lib.catalog.memoryBudget = 3e9
        }

        function installedRow(fileName) {
            const list = findChild(page, "installedList")
            for (let i = 0; i < list.count; ++i) {
                if (list.itemAt(i).fileName === fileName)
                    return list.itemAt(i)
            }
            return null
        }

        function dialogButton(objectName) {
            const buttons = page.deleteDialog.footer.contentChildren
            for (let i = 0; i < buttons.length; ++i) {
                if (buttons[i].objectName === objectName)
                    return buttons[i]
            }
            return null
        }

        function test_a_catalogCardsWithFitBadges() {
            const list = findChild(page, "catalogList")
            verify(list)
            verify(list.count >= 12, "catalog cards: " + list.count)
            compare(list.count, lib.catalog.count)
            const seen = {}
            for (let i = 0; i < list.count; ++i) {
                const card = list.itemAt(i)
                compare(card.name, lib.catalog.get(i).name)
                const badge = findChild(card, "fitBadge")
                verify(badge.visible)
                const expected = { fits: "Fits", tight: "Tight", wontFit: "Won't fit" }[card.fit]
                verify(expected !== undefined, card.name + " fit " + card.fit)
                compare(badge.label, expected)
                seen[badge.label] = true
                const download = findChild(card, "downloadButton")
                compare(download.enabled, card.supported && !card.installed)
            }
            verify(seen["Fits"], "some model fits 3 GB")
            verify(seen["Won't fit"], "some model does not fit 3 GB")
            lib.catalog.memoryBudget = 100e9
            for (let j = 0; j < list.count; ++j)
                verify(findChild(list.itemAt(j), "fitBadge").label !== "Won't fit")
            lib.catalog.memoryBudget = 3e9
        }

        function test_b_installedModelsAppear() {
            compare(lib.installed.count, 2)
            const alpha = installedRow("tiny-alpha.gguf")
            verify(alpha, "tiny-alpha listed")
            verify(installedRow("tiny-beta.gguf"), "tiny-beta listed")
            compare(findChild(alpha, "installedName").text.indexOf("Tiny Alpha"), 0)
            verify(alpha.valid)
        }

        function test_c_searchShowsOffline() {
            const field = findChild(page, "searchField")
            const status = findChild(page, "searchStatus")
            field.forceActiveFocus()
            field.text = "qwen gguf"
            keyClick(Qt.Key_Return)
            tryCompare(lib.search, "status", HubSearch.Offline, 15000)
            verify(status.visible)
            verify(status.text.indexOf("Offline") === 0, status.text)
        }

        function test_d_screenshot() {
            let saved = false
            verify(page.grabToImage(function (result) {
                saved = result.saveToFile(testHelper.screenshotPath)
            }))
            tryVerify(() => saved, 5000, "screenshot saved to " + testHelper.screenshotPath)
        }

        function test_e_deleteAsksForConfirmation() {
            verify(testHelper.exists("tiny-alpha.gguf"))
            mouseClick(findChild(installedRow("tiny-alpha.gguf"), "deleteButton"))
            tryCompare(page.deleteDialog, "opened", true)
            compare(page.deleteDialog.fileName, "tiny-alpha.gguf")
            mouseClick(dialogButton("cancelDeleteButton"))
            tryCompare(page.deleteDialog, "visible", false)
            verify(testHelper.exists("tiny-alpha.gguf"), "cancel keeps the file")
            compare(lib.installed.count, 2)

            mouseClick(findChild(installedRow("tiny-alpha.gguf"), "deleteButton"))
            tryCompare(page.deleteDialog, "opened", true)
            mouseClick(dialogButton("confirmDeleteButton"))
            tryCompare(page.deleteDialog, "visible", false)
            tryCompare(lib.installed, "count", 1)
            verify(!testHelper.exists("tiny-alpha.gguf"), "confirm removes the file")
            verify(testHelper.exists("tiny-beta.gguf"), "the other model stays")
            compare(installedRow("tiny-alpha.gguf"), null)
        }
    }
}
