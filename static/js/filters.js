// Filter forms (the search page, the case and policy indexes): progressive enhancement of a plain
// GET form that works without JavaScript.
//  - On a wide screen the filters (<details data-filters>) are open; on a phone they stay behind
//    the 筛选 control, so the results come first.
//  - Ticking a box or choosing a sort applies it at once ("应用筛选" is then hidden).
//  - After the reload that a tick, a sort or a chip's × causes, focus returns to where the user
//    was: the same box or sort menu, or the chip now in the removed one's place (else the results).
(function () {
  var WIDE = "(min-width: 760px)";
  var KEY = "kb-filter-focus:" + location.pathname;

  function remembered() {
    try {
      var value = sessionStorage.getItem(KEY);
      sessionStorage.removeItem(KEY);
      return value ? JSON.parse(value) : null;
    } catch (e) {
      return null;
    }
  }

  function remember(value) {
    try { sessionStorage.setItem(KEY, JSON.stringify(value)); } catch (e) {}
  }

  function focusOn(element) {
    if (!element) return false;
    var details = element.closest("details");
    if (details && !details.open && element.tagName !== "SUMMARY") details.open = true;
    element.focus();
    return document.activeElement === element;
  }

  document.querySelectorAll("form[data-filter-form]").forEach(function (form) {
    var filters = form.querySelector("details[data-filters]");
    if (filters && window.matchMedia) {
      var wide = window.matchMedia(WIDE);
      var toggle = filters.querySelector("summary");
      // On a wide screen the control is a heading: open, and no stop for Tab.
      var follow = function (query) {
        if (query.matches) filters.open = true;
        if (toggle) toggle.tabIndex = query.matches ? -1 : 0;
      };
      follow(wide);
      if (wide.addEventListener) wide.addEventListener("change", follow);
    }

    var last = remembered();
    var boxes = form.querySelectorAll("[data-filters] input[type=checkbox]");
    var chips = form.querySelectorAll(".chip a");
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        remember({ box: box.name + "=" + box.value });
        form.submit();
      });
    });
    form.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        remember({ id: select.id });
        form.submit();
      });
    });
    chips.forEach(function (link, index) {
      link.addEventListener("click", function () { remember({ chip: index }); });
    });
    form.querySelectorAll("[data-apply]").forEach(function (button) { button.hidden = true; });

    if (!last) return;
    if (last.box) {
      boxes.forEach(function (box) { if (box.name + "=" + box.value === last.box) focusOn(box); });
    } else if (last.id) {
      focusOn(document.getElementById(last.id));
    } else if (typeof last.chip === "number") {
      var next = chips[Math.min(last.chip, chips.length - 1)];
      if (!focusOn(next)) focusOn(form.querySelector("[data-results-target]"));
    }
  });
})();
