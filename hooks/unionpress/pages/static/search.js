// UnionPress search page: runs the query in ?q= on load, as the reader types, and with filters.
// Pagefind (../../pagefind/) holds the index in chunks, so a query loads only the chunks it needs.
// Before the query reaches Pagefind it is folded here: traditional → simplified (OpenCC data in
// search/t2s/, split by character so a query loads only its own characters' parts) and the union's
// synonyms (search/query.json) each add a variant query; the results of all variants are merged by
// page. Nothing is loaded from another host.

const ROOT = new URL("../../", import.meta.url); // this file is ROOT/assets/unionpress/search.js
const PAGE_SIZE = 10;
const SEPARATORS = /[\s·•・‧∙⋅+＋=＝|｜/\\、，,。.！!？?；;：:“”"‘’'（）()【】[\]{}《》<>〈〉—–_~～…#＃&＆*＊^%￥$@]+/gu;
const HAN = /[\u3400-\u9fff]/u;
const FORMAT = /\p{Cf}/gu; // zero-width spaces and joiners, soft hyphens, bidi marks: never typed on purpose

const form = document.querySelector(".up-search-page");
const input = document.getElementById("up-search-q");
const statusLine = document.getElementById("up-search-status");
const list = document.getElementById("up-search-results");
const more = document.getElementById("up-search-more");
const filterBox = document.getElementById("up-search-filters");

let pagefind = null;
let setup = null;
const parts = new Map(); // t2s part number → its characters and phrases, loaded once each
let shown = [];
let run = 0;
const chosen = { kind: "", column: "" };

async function loadPagefind() {
  if (!pagefind) {
    pagefind = await import(new URL("pagefind/pagefind.js", ROOT).href);
    // noWorker: the worker is a second 43 KB script for the first query; a query is quick enough on
    // the main thread, and old phones on weak signal feel the download more than the work.
    await pagefind.options({ baseUrl: ROOT.pathname, excerptLength: 40, noWorker: true });
    await pagefind.init();
  }
  return pagefind;
}

const getJSON = async (name) => {
  const answer = await fetch(new URL(`search/${name}`, ROOT));
  if (!answer.ok) throw new Error(`search/${name}: ${answer.status}`);
  return answer.json();
};

// One folding for the query and for the synonyms, so a word matches however either was typed:
// the steps of chars.fold (NFKC, no format characters, lower case; the build ships the words folded
// so), and separators as spaces as in the query.
const fold = (text) =>
  text.replace(FORMAT, "").normalize("NFKC").replace(FORMAT, "").replace(SEPARATORS, " ").trim().toLowerCase();

// Synonyms, the filters' values and the number of t2s parts: small, and needed before any query.
async function loadSetup() {
  if (!setup) {
    setup = getJSON("query.json").then((data) => ({
      ...data,
      synonyms: data.synonyms
        .map((group) => [...new Set(group.map(fold).filter(Boolean))])
        .filter((group) => group.length > 1),
    }));
  }
  return setup;
}

// The parts of the t2s table for the characters of `text` (each part is fetched once per visit).
async function loadParts(text, count) {
  const partOf = (char) => char.codePointAt(0) % count;
  const wanted = [...new Set([...text].filter((c) => HAN.test(c)).map(partOf))];
  await Promise.all(wanted.filter((n) => !parts.has(n)).map(async (n) => {
    const part = await getJSON(`t2s/${n}.json`);
    const from = [...part.from];
    const to = [...part.to];
    part.chars = Object.fromEntries(from.map((c, i) => [c, to[i]]));
    part.longest = Math.max(1, ...Object.keys(part.phrases).map((p) => [...p].length));
    parts.set(n, part);
  }));
  return partOf;
}

// Longest match first, as OpenCC does: phrases (乾隆 stays 乾隆), then single characters. The
// parts for every character of `text` are loaded (loadParts) before this runs.
function simplify(text, partOf) {
  const chars = [...text];
  let out = "";
  for (let i = 0; i < chars.length; ) {
    const part = HAN.test(chars[i]) ? parts.get(partOf(chars[i])) : null;
    let taken = false;
    for (let size = Math.min(part?.longest ?? 1, chars.length - i); size > 1; size--) {
      const piece = chars.slice(i, i + size).join("");
      if (piece in part.phrases) {
        out += part.phrases[piece];
        i += size;
        taken = true;
        break;
      }
    }
    if (!taken) {
      out += part?.chars[chars[i]] ?? chars[i];
      i += 1;
    }
  }
  return out;
}

// The query a reader typed → the queries to run: the query itself, simplified, and with each
// synonym of a word it contains. Separators (中国梦·劳动美, 互联网+职工文化) become spaces.
function variants(raw, synonyms, partOf) {
  const base = fold(raw);
  if (!base) return [];
  const queries = new Set([base]);
  if (HAN.test(base)) queries.add(simplify(base, partOf));
  for (const query of [...queries]) {
    for (const group of synonyms) {
      const word = group.find((w) => query.includes(w));
      if (!word) continue;
      for (const other of group) if (other !== word) queries.add(query.replace(word, other));
    }
  }
  return [...queries].slice(0, 8);
}

function filtersFor() {
  const filters = {};
  if (chosen.kind) filters.kind = chosen.kind;
  if (chosen.column) filters.column = chosen.column;
  return filters;
}

async function search(raw) {
  const mine = ++run;
  list.setAttribute("aria-busy", "true");
  const [pf, { synonyms, t2s_parts: count }] = await Promise.all([loadPagefind(), loadSetup()]);
  const partOf = await loadParts(raw.normalize("NFKC"), count);
  const queries = variants(raw, synonyms, partOf);
  if (mine !== run) return;
  if (!queries.length) {
    await render([], raw);
    return;
  }
  const answers = await Promise.all(queries.map((q) => pf.search(q, { filters: filtersFor() })));
  if (mine !== run) return;
  const best = new Map();
  for (const answer of answers) {
    for (const result of answer?.results ?? []) {
      const had = best.get(result.id);
      if (!had || had.score < result.score) best.set(result.id, result);
    }
  }
  const merged = [...best.values()].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  await showFilters();
  if (mine === run) await render(merged, raw);
}

async function render(results, raw) {
  shown = results;
  list.replaceChildren();
  more.hidden = true;
  const query = raw.trim();
  if (!query) {
    statusLine.textContent = "请输入要搜索的词，例如：劳模、职工书屋、工匠精神。";
  } else {
    statusLine.textContent = results.length
      ? `“${query}”共找到 ${results.length} 条结果`
      : `没有找到与“${query}”相关的内容。可以换一个词，或少写几个字再试。`;
    await showMore();
  }
  list.dataset.query = raw; // what the list now shows, and that it is complete (for tests and AT)
  list.setAttribute("aria-busy", "false");
}

async function showMore() {
  const start = list.children.length;
  const page = shown.slice(start, start + PAGE_SIZE);
  const data = await Promise.all(page.map((r) => r.data()));
  for (const item of data) list.append(entry(item));
  more.hidden = list.children.length >= shown.length;
  if (start > 0) list.children[start]?.querySelector("a")?.focus();
}

// Text from the index is never put in as HTML: the excerpt's <mark> is rebuilt element by element.
function excerpt(html) {
  const holder = document.createElement("template");
  holder.innerHTML = html;
  const out = document.createElement("p");
  out.className = "up-search-result__excerpt";
  for (const node of holder.content.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.append(mark);
    } else {
      out.append(document.createTextNode(node.textContent));
    }
  }
  return out;
}

function entry(item) {
  const li = document.createElement("li");
  li.className = "up-search-result";
  const link = document.createElement("a");
  link.href = item.url;
  link.className = "up-search-result__title";
  link.textContent = item.meta.title || item.url;
  const info = document.createElement("p");
  info.className = "up-search-result__meta";
  const kind = document.createElement("span");
  kind.className = "up-search-result__kind";
  kind.textContent = item.meta.kind || "";
  info.append(kind);
  if (item.meta.column) info.append(` · ${item.meta.column}`);
  if (item.meta.date) {
    const time = document.createElement("time");
    time.dateTime = item.meta.date;
    time.textContent = item.meta.date;
    info.append(" · ", time);
  }
  li.append(link, info, excerpt(item.excerpt || ""));
  return li;
}

// The filters' values come from query.json, not from Pagefind's filters(): that loads every
// filter chunk, and each lists every page of its filter.
async function showFilters() {
  const { facets } = await loadSetup();
  filterBox.replaceChildren();
  for (const [name, label] of [["kind", "类型"], ["column", "栏目"]]) {
    const values = facets[name] || [];
    if (values.length < 2 && !chosen[name]) continue;
    const set = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.textContent = label;
    set.append(legend);
    for (const value of ["", ...values]) {
      const id = `up-filter-${name}-${values.indexOf(value) + 1}`;
      const radio = Object.assign(document.createElement("input"), { type: "radio", name, value, id });
      radio.checked = chosen[name] === value;
      radio.addEventListener("change", () => {
        chosen[name] = value;
        update();
      });
      const text = Object.assign(document.createElement("label"), { htmlFor: id, textContent: value || "全部" });
      const pair = Object.assign(document.createElement("span"), { className: "up-search-filter" });
      pair.append(radio, text);
      set.append(pair);
    }
    filterBox.append(set);
  }
  filterBox.hidden = !filterBox.children.length;
}

// The address always says what is shown, so a search can be bookmarked and shared.
function remember() {
  const params = new URLSearchParams();
  if (input.value.trim()) params.set("q", input.value.trim());
  if (chosen.kind) params.set("kind", chosen.kind);
  if (chosen.column) params.set("column", chosen.column);
  const address = params.toString() ? `?${params}` : location.pathname;
  history.replaceState(null, "", address);
}

// On weak signal a chunk may not arrive: say so, and let the reader try again.
async function update() {
  remember();
  try {
    await search(input.value);
  } catch (error) {
    statusLine.textContent = "搜索索引没有下载完整（网络不稳定？），请稍后再按“搜索”试一次。";
    list.setAttribute("aria-busy", "false");
    console.error(error);
  }
}

let pause = null;
input.addEventListener("input", () => {
  clearTimeout(pause);
  pause = setTimeout(update, 250);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(pause);
  update();
});
more.addEventListener("click", () => showMore());

const params = new URLSearchParams(location.search);
input.value = params.get("q") || "";
chosen.kind = params.get("kind") || "";
chosen.column = params.get("column") || "";
if (input.value) {
  update();
} else {
  render([], "");
  input.focus();
}
