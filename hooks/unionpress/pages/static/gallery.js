// 劳模风采: combine the gallery's filters without a reload (荣誉 + 地区分馆 + 年份 …).
// Only an enhancement: every single filter is a pre-built page that works without this script.
// With it the filter panel holds this one compact form instead of the lists of links, each choice
// counted with the others chosen and a choice that would show nobody not offered (disabled). The
// profile data (models/gallery.json) is fetched when the panel opens, never on an ordinary visit.
const form = document.getElementById("up-gallery-form");
const COUNTED = /（\d+）$/u; // "全国劳动模范（3）": the name, then the count the page or this script wrote

function card(base, model) {
  const item = document.createElement("li");
  item.className = "up-person";
  const link = document.createElement("a");
  link.href = base + model.u;
  if (model.p) {
    const photo = document.createElement("img");
    photo.className = "up-person__photo";
    Object.assign(photo, { src: base + model.p, alt: model.a, width: model.w, height: model.h, loading: "lazy" });
    link.append(photo);
  }
  for (const [cls, text] of [["up-person__name", model.n], ["up-person__honor", model.t], ["up-person__unit", model.e]]) {
    if (!text) continue;
    const span = document.createElement("span");
    span.className = cls;
    span.textContent = text; // text, never markup: names come from editors
    link.append(span);
  }
  item.append(link);
  return item;
}

if (form) {
  const grid = document.getElementById("up-gallery-grid");
  const results = document.getElementById("up-gallery-results");
  const status = form.querySelector("[role=status]");
  const selects = [...form.querySelectorAll("select")];
  const initial = Object.fromEntries(selects.map((select) => [select.name, select.value]));
  let index = null;

  const nav = form.closest("nav");
  const panel = form.closest("details");
  const load = async () => {
    if (!index) {
      const response = await fetch(form.dataset.index);
      if (!response.ok) throw new Error(String(response.status));
      index = await response.json();
    }
    return index;
  };
  const matches = (model, wanted) => Object.entries(wanted).every(([key, value]) => (model.f[key] || []).includes(value));

  // Each choice's count with the other filters as chosen; a choice with nobody is disabled (the one
  // chosen stays choosable, so a reader can always see and undo it).
  const recount = (data) => {
    for (const select of selects) {
      const others = Object.fromEntries(selects.filter((s) => s !== select && s.value).map((s) => [s.name, s.value]));
      const pool = data.models.filter((model) => matches(model, others));
      for (const option of select.options) {
        const count = option.value ? pool.filter((model) => (model.f[select.name] || []).includes(option.value)).length : pool.length;
        option.textContent = `${option.textContent.replace(COUNTED, "")}（${count}）`;
        option.disabled = count === 0 && !option.selected && option.value !== "";
      }
    }
  };
  const prepare = async () => {
    try {
      recount(await load());
    } catch {
      nav.removeAttribute("data-combined"); // the links work without the data
      status.textContent = "筛选数据没有下载成功，请使用下面的筛选链接。";
    }
  };

  const update = async () => {
    const wanted = Object.fromEntries(selects.filter((s) => s.value).map((s) => [s.name, s.value]));
    const unchanged = selects.every((select) => select.value === initial[select.name]);
    const query = new URLSearchParams(unchanged ? {} : wanted).toString();
    history.replaceState(null, "", query ? `?${query}` : location.pathname);
    if (unchanged) { // what the page itself shows: its own grid and pager
      if (index) recount(index);
      grid.hidden = false;
      results.hidden = true;
      status.textContent = "";
      return;
    }
    status.textContent = "正在筛选…";
    let data;
    try {
      data = await load();
    } catch {
      nav.removeAttribute("data-combined");
      status.textContent = "筛选数据没有下载成功，请检查网络后再试，或使用下面的筛选链接。";
      return;
    }
    recount(data);
    const found = data.models.filter((model) => matches(model, wanted));
    results.replaceChildren(...found.map((model) => card(form.dataset.base, model)));
    grid.hidden = true;
    results.hidden = false;
    status.textContent = found.length ? `找到 ${found.length} 位` : "没有同时符合这些条件的劳模，请少选一项。";
  };

  form.addEventListener("change", update);
  form.addEventListener("reset", (event) => {
    event.preventDefault(); // back to what this page shows, not to an empty form
    for (const select of selects) select.value = "";
    update();
  });
  form.addEventListener("submit", (event) => { event.preventDefault(); update(); });
  // A shared address with ?honor=…&region=… opens with that combination.
  const params = new URLSearchParams(location.search);
  for (const select of selects) {
    if (params.has(select.name)) select.value = params.get(select.name);
  }
  form.hidden = false;
  nav.setAttribute("data-combined", ""); // the form stands in for the lists of links (CSS)
  panel.addEventListener("toggle", () => { if (panel.open) prepare(); });
  if ([...params.keys()].some((key) => selects.some((s) => s.name === key))) {
    panel.open = true; // show what was chosen, and what the choice found
    update();
  }
}
