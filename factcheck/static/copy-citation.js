// "Copy citation" on the result page: each excerpt's button copies its plain-text citation
// (quote, source, publisher, date, link) from its data-citation attribute. The buttons stay
// hidden without script; the citation text is then in the "Citation" details beside them.
(function () {
  "use strict";

  function copyWithSelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    document.body.removeChild(area);
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return copyWithSelection(text);
      });
    }
    return copyWithSelection(text);
  }

  function setUp() {
    var buttons = document.querySelectorAll("button.copy-citation");
    Array.prototype.forEach.call(buttons, function (button) {
      var status = button.parentNode.querySelector(".copy-status");
      button.hidden = false;
      button.addEventListener("click", function () {
        copy(button.getAttribute("data-citation")).then(
          function () {
            if (status) status.textContent = "Citation copied.";
          },
          function () {
            if (status) status.textContent = "Could not copy: the citation is below.";
            var details = button.parentNode.querySelector("details");
            if (details) details.open = true;
          }
        );
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
