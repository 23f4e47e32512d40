/* kb.core.widgets.PageMultipleChooser: 添加 opens Wagtail's page chooser (search, several pages
   ticked at once), 移除 drops one page. Delegated from the document, so the widgets of course
   module rows added later by the InlinePanel work too. */
(function () {
  "use strict";

  function itemFor(widget, page) {
    var li = document.createElement("li");
    li.className = "kb-page-chooser__item";
    li.setAttribute("data-kb-page-chooser-item", "");
    li.dataset.id = String(page.id);
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = widget.dataset.name;
    input.value = String(page.id);
    var link = document.createElement("a");
    link.href = page.editUrl || "#";
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = page.adminTitle || page.title || String(page.id);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button button-small button-secondary";
    remove.setAttribute("data-kb-page-chooser-remove", "");
    remove.setAttribute("aria-label", "移除“" + link.textContent + "”");
    remove.textContent = "移除";
    li.append(input, link, " ", remove);
    return li;
  }

  function refresh(widget) {
    var empty = widget.querySelector("[data-kb-page-chooser-empty]");
    if (empty) empty.hidden = widget.querySelector("[data-kb-page-chooser-item]") !== null;
    widget.dispatchEvent(new Event("change", { bubbles: true })); // the editor's "unsaved changes"
  }

  function add(widget, pages) {
    var list = widget.querySelector("[data-kb-page-chooser-list]");
    [].concat(pages || []).forEach(function (page) {
      if (!page || page.id === undefined) return;
      if (widget.querySelector('[data-kb-page-chooser-item][data-id="' + page.id + '"]')) return;
      list.appendChild(itemFor(widget, page));
    });
    refresh(widget);
  }

  document.addEventListener("click", function (event) {
    var remove = event.target.closest("[data-kb-page-chooser-remove]");
    if (remove) {
      var widget = remove.closest("[data-kb-page-chooser]");
      remove.closest("[data-kb-page-chooser-item]").remove();
      refresh(widget);
      return;
    }
    var button = event.target.closest("[data-kb-page-chooser-add]");
    if (!button) return;
    var chooser = button.closest("[data-kb-page-chooser]");
    new window.PageChooserModal(chooser.dataset.chooserUrl).open(
      { modelNames: [chooser.dataset.modelName], multiple: true },
      function (result) { add(chooser, result); }
    );
  });
})();
