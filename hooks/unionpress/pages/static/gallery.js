// 劳模风采: combine the gallery's filters without a reload (荣誉 + 地区分馆 + 年份 …).
// Only an enhancement: every single filter is a pre-built page that works without this script.
// The profile data (models/gallery.json) is fetched on the first change, never on an ordinary visit.
const form = document.getElementById("up-gallery-form");

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

  const load = async () => {
    if (!index) {
      const response = await fetch(form.dataset.index);
      if (!response.ok) throw new Error(String(response.status));
      index = await response.json();
    }
    return index;
  };

  const update = async () => {
    const wanted = Object.fromEntries(selects.filter((s) => s.value).map((s) => [s.name, s.value]));
    const unchanged = selects.every((select) => select.value === initial[select.name]);
    const query = new URLSearchParams(unchanged ? {} : wanted).toString();
    history.replaceState(null, "", query ? `?${query}` : location.pathname);
    if (unchanged) { // what the page itself shows: its own grid and pager
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
      status.textContent = "筛选数据没有下载成功，请检查网络后再试，或使用上面的筛选链接。";
      return;
    }
    const keys = Object.keys(wanted);
    const found = data.models.filter((m) => keys.every((key) => (m.f[key] || []).includes(wanted[key])));
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
  if ([...params.keys()].some((key) => selects.some((s) => s.name === key))) {
    form.closest("details").open = true; // show what was chosen, and what the choice found
    update();
  }
}
