/* The agenda editor: drag and drop of the running order, and focus kept on the Up/Down buttons.
 *
 * Every control is a form that works without this file (and without htmx). Dragging a step posts
 * the whole new order through the hidden reorder form (htmx swaps the panel in). Listeners are
 * on the document, so they keep working after htmx replaces the panel.
 */
(function () {
  "use strict";

  var dragged = null;
  var orderBefore = "";

  function listOf(element) {
    return element && element.closest ? element.closest("[data-running-order]") : null;
  }

  function currentOrder(list) {
    return Array.prototype.map.call(list.querySelectorAll("li[data-item-id]"), function (item) {
      return item.getAttribute("data-item-id");
    });
  }

  function submitOrder(list) {
    var order = currentOrder(list);
    if (order.join(",") === orderBefore) {
      return;
    }
    var form = document.getElementById(list.getAttribute("data-reorder-form"));
    if (!form) {
      return;
    }
    Array.prototype.forEach.call(form.querySelectorAll("input[name=order]"), function (input) {
      input.remove();
    });
    order.forEach(function (id) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "order";
      input.value = id;
      form.appendChild(input);
    });
    list.classList.add("is-saving");
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  document.addEventListener("dragstart", function (event) {
    var handle = event.target.closest ? event.target.closest(".drag-handle") : null;
    var list = listOf(handle);
    if (!list) {
      return;
    }
    dragged = handle.closest("li[data-item-id]");
    orderBefore = currentOrder(list).join(",");
    dragged.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.getAttribute("data-item-id"));
    if (event.dataTransfer.setDragImage) {
      event.dataTransfer.setDragImage(dragged, 16, 16);
    }
  });

  document.addEventListener("dragover", function (event) {
    var list = listOf(event.target);
    if (!dragged || list !== listOf(dragged)) {
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    var over = event.target.closest("li[data-item-id]");
    if (!over || over === dragged) {
      return;
    }
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    list.insertBefore(dragged, after ? over.nextSibling : over);
  });

  document.addEventListener("drop", function (event) {
    if (dragged && listOf(event.target)) {
      event.preventDefault();
    }
  });

  document.addEventListener("dragend", function () {
    if (!dragged) {
      return;
    }
    var list = listOf(dragged);
    dragged.classList.remove("is-dragging");
    dragged = null;
    if (list) {
      submitOrder(list);
    }
  });

  // A change refused by the server (a step or person removed by someone else meanwhile, a lost
  // session): htmx swaps nothing, so say so where the confirmations appear.
  document.addEventListener("htmx:responseError", function () {
    var status = document.getElementById("agenda-status");
    if (!status) {
      return;
    }
    var alert = document.createElement("p");
    alert.className = "alert alert-danger py-2 mb-3";
    alert.textContent = status.getAttribute("data-error-message");
    status.replaceChildren(alert);
    var list = document.querySelector("[data-running-order].is-saving");
    if (list) {
      list.classList.remove("is-saving");
    }
  });

  // After an Up/Down button replaced the panel, put the focus back on the same button of the
  // moved step (or on its other button when it reached an end), so the keyboard can go on.
  var focusAfterSwap = null;

  document.addEventListener("htmx:beforeRequest", function () {
    var active = document.activeElement;
    focusAfterSwap = active && active.id && /^move-(up|down)-\d+$/.test(active.id) ? active.id : null;
  });

  // htmx gives the focus back to the button of the same id as soon as it swaps the panel in, a moment
  // before it has processed the panel's forms: a key pressed then would submit a plain form and
  // reload the page. So the focus waits until the panel has settled (below).
  document.addEventListener("htmx:afterSwap", function () {
    var active = document.activeElement;
    if (focusAfterSwap && active && active.id === focusAfterSwap) {
      active.blur();
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!focusAfterSwap) {
      return;
    }
    var button = document.getElementById(focusAfterSwap);
    if (button && button.disabled) {
      var other = focusAfterSwap.indexOf("move-up-") === 0
        ? focusAfterSwap.replace("move-up-", "move-down-")
        : focusAfterSwap.replace("move-down-", "move-up-");
      button = document.getElementById(other);
    }
    if (button && !button.disabled) {
      button.focus();
    }
    focusAfterSwap = null;
  });
})();
