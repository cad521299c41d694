// "Copy" buttons on the private calendar feed page: copy the address of the field named by
// data-copy-target, and say so in the page's live status region.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copyTarget);
  if (!field) return;
  const status = document.querySelector(".copy-status");
  const done = () => {
    if (status) status.textContent = button.dataset.copiedText || "";
  };
  field.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, () => {
      document.execCommand("copy");
      done();
    });
  } else {
    document.execCommand("copy");
    done();
  }
});
