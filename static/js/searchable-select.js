// Searchable selects (common/widgets.py): every <select data-searchable> becomes a Tom Select box
// one can type into. Tom Select and its styles are loaded only on pages that have such a select;
// without JavaScript, or if they fail to load, the plain select stays and the form posts the same.
// The interface strings come, translated, from this script's data attributes (templates/base.html).
(() => {
  const script = document.currentScript;
  const text = script.dataset;

  const load = (tag, attributes) =>
    new Promise((resolve, reject) => {
      const element = Object.assign(document.createElement(tag), attributes);
      element.addEventListener("load", resolve);
      element.addEventListener("error", reject);
      document.head.append(element);
    });

  const enhance = (select) => {
    const multiple = select.multiple;
    const help = select.dataset.searchableHelp;
    const plugins = multiple ? { remove_button: { title: text.remove } } : {};
    if (!multiple && !select.required) plugins.clear_button = { title: text.clear };
    const tom = new TomSelect(select, {
      plugins,
      maxOptions: null,
      // The list follows each keystroke at once: Enter right after typing picks what the list shows.
      refreshThrottle: 0,
      // Once one is chosen, the box is empty again for the next name.
      clearAfterSelect: true,
      hidePlaceholder: true,
      placeholder: text.placeholder,
      render: {
        no_results: () => Object.assign(document.createElement("div"), { className: "no-results", textContent: text.noResults }),
      },
    });
    // The typed-into box is what a screen reader reads (Tom Select moved the label to it): it gets
    // the select's help and error state, and the select, kept only to post the form, is hidden.
    select.setAttribute("aria-hidden", "true");
    for (const name of ["aria-describedby", "aria-invalid", "aria-required"]) {
      if (select.hasAttribute(name)) tom.control_input.setAttribute(name, select.getAttribute(name));
    }
    // A chosen item's cross is read "Remove: Morocco", not "×".
    const nameCross = (item) => {
      const cross = item.querySelector(".remove");
      if (cross) cross.setAttribute("aria-label", `${text.remove}: ${item.firstChild.textContent.trim()}`);
    };
    tom.control.querySelectorAll(".item").forEach(nameCross);
    tom.on("item_add", (_value, item) => nameCross(item));
    if (help && select.id) {
      const helpText = document.getElementById(`${select.id}_helptext`);
      if (helpText) helpText.textContent = help;
    }
  };

  let loaded = null;
  const enhanceWithin = (root) => {
    const selects = [...root.querySelectorAll("select[data-searchable]")].filter((select) => !select.tomselect);
    if (root.matches && root.matches("select[data-searchable]") && !root.tomselect) selects.push(root);
    if (!selects.length) return;
    loaded ??= Promise.all([
      load("link", { rel: "stylesheet", href: text.css }),
      window.TomSelect ? null : load("script", { src: text.js }),
    ]);
    loaded.then(() => selects.filter((select) => !select.tomselect).forEach(enhance), () => {});
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => enhanceWithin(document));
  else enhanceWithin(document);
  // Forms that htmx swaps in (the agenda editor's panels) are enhanced as they arrive.
  document.addEventListener("htmx:load", (event) => enhanceWithin(event.target));
})();
