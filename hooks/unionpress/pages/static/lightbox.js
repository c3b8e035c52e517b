// Lightbox for an article's pictures and a portrait: a native <dialog> (focus stays inside, Esc
// closes, focus returns to the picture), ← and → step through the page's pictures, the caption is
// the figure's caption or else the picture's alt text. An address that names a picture's anchor
// (an exhibition's #work-3, shared by a reader) opens it, and stepping keeps the address on the
// picture shown, so copying it shares that one. Shipped with the site. Without this script each
// picture is a plain link to its largest size.
const links = [...document.querySelectorAll("a.up-lightbox")];

function caption(link) {
  const figure = link.closest("figure");
  const written = figure && figure.querySelector("figcaption");
  const img = link.querySelector("img");
  return (written && written.textContent.trim()) || (img && img.alt) || "";
}

if (links.length) {
  const dialog = document.createElement("dialog");
  dialog.className = "up-lightbox-dialog";
  dialog.setAttribute("aria-label", "查看大图");
  dialog.innerHTML = `
    <figure class="up-lightbox-dialog__figure">
      <img class="up-lightbox-dialog__img" alt="">
      <figcaption class="up-lightbox-dialog__caption" aria-live="polite"></figcaption>
    </figure>
    <div class="up-lightbox-dialog__bar">
      <button type="button" data-step="-1">上一张</button>
      <span class="up-lightbox-dialog__count"></span>
      <button type="button" data-step="1">下一张</button>
      <button type="button" data-close>关闭</button>
    </div>`;
  document.body.append(dialog);
  const img = dialog.querySelector("img");
  const text = dialog.querySelector("figcaption");
  const count = dialog.querySelector(".up-lightbox-dialog__count");
  const steps = dialog.querySelectorAll("[data-step]");
  let at = 0;
  let opener = null;

  const show = (index) => {
    at = (index + links.length) % links.length;
    const link = links[at];
    img.src = link.href;
    img.alt = caption(link);
    text.textContent = `${caption(link)}（第 ${at + 1} 张，共 ${links.length} 张）`;
    count.textContent = `${at + 1} / ${links.length}`;
    steps.forEach((button) => { button.hidden = links.length < 2; });
    const anchor = link.closest("[data-up-anchor][id]");
    if (anchor && dialog.open) history.replaceState(history.state, "", `#${encodeURIComponent(anchor.id)}`);
  };

  const open = (index) => {
    opener = links[index];
    dialog.showModal(); // before show(): the address follows the picture only while the dialog is open
    show(index);
    dialog.querySelector("[data-close]").focus();
  };

  // The picture the address names: an anchor marked data-up-anchor holds it (an id elsewhere, such
  // as the skip link's #up-main or a heading's, opens nothing).
  const named = () => {
    let id = "";
    try { id = decodeURIComponent(location.hash.slice(1)); } catch { return -1; }
    const target = id && document.getElementById(id);
    const link = target && target.matches("[data-up-anchor]") && target.querySelector("a.up-lightbox");
    return link ? links.indexOf(link) : -1;
  };
  const openNamed = () => {
    const index = named();
    if (index >= 0 && !dialog.open) open(index);
  };

  links.forEach((link, index) => {
    link.addEventListener("click", (event) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return; // a new tab, as asked
      event.preventDefault();
      open(index);
    });
  });
  dialog.addEventListener("click", (event) => {
    const step = event.target.closest("[data-step]");
    if (step) show(at + Number(step.dataset.step));
    else if (event.target.closest("[data-close]") || event.target === dialog) dialog.close();
  });
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "ArrowRight") { show(at + 1); event.preventDefault(); }
    if (event.key === "ArrowLeft") { show(at - 1); event.preventDefault(); }
  });
  dialog.addEventListener("close", () => { if (opener) opener.focus(); });
  window.addEventListener("hashchange", openNamed);
  // After the load: the browser's own jump to the named element on loading takes the focus back
  // to the page, which would leave the open dialog without it (no Esc, no arrow keys).
  if (document.readyState === "complete") openNamed();
  else window.addEventListener("load", openNamed, { once: true });
}
