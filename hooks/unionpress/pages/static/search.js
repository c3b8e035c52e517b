// UnionPress search page: runs the query in ?q= on load, as the reader types, and with filters.
// Pagefind (../../pagefind/) holds the index in chunks, so a query loads only the chunks it needs.
// On a large site the index is in two parts (search.first_part): the profiles and the newest records,
// which a first query loads, and the rest in shelves (pagefind/archive/N/, search.shelves), merged
// when the reader asks for it or at once when the first part gives less than a screen of results, so
// 没有找到 is said of the whole site.
// Before the query reaches Pagefind it is folded here: traditional → simplified (OpenCC data in
// search/t2s/, split by character so a query loads only its own characters' parts) and the union's
// synonyms (search/query.json) each add a variant query, and a query in Latin letters is turned into
// the site's own words by their pinyin (search/pinyin/, gongjiang → 工匠, wjg → 王建国). Each word of
// a variant is searched as an exact phrase and a page must hold every word, so a query of words the
// site never uses (航天发射) finds nothing rather than the nearest noise; the results of all variants
// are merged by page. The excerpt is cut here from what a reader reads on the page (never the fields
// or the index's data), from the start of a clause or word, with the query's whole words marked.
// Nothing is loaded from another host.

const ROOT = new URL("../../", import.meta.url); // this file is ROOT/assets/unionpress/search.js
const PAGE_SIZE = 10;
const EXCERPT = 72; // characters of an excerpt: two lines on a phone
const LEAD = 24; // characters an excerpt may show before the first match
const CLAUSE = /[。！？；，、：,.!?;:\s]/u;
const LATIN = /^[a-z0-9 ]*[a-z][a-z0-9 ]*$/u;
const SYLLABLE = /^(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?:iang|iong|uang|ang|eng|ing|ong|uai|ian|iao|uan|van|ai|ei|ao|ou|an|en|er|in|un|ia|ie|iu|ua|uo|ue|ui|ve|a|o|e|i|u|v)/u;
const words = new Intl.Segmenter("zh", { granularity: "word" });
const SEPARATORS = /[\s·•・‧∙⋅+＋=＝|｜/\\、，,。.！!？?；;：:“”"‘’'（）()【】[\]{}《》<>〈〉—–_~～…#＃&＆*＊^%￥$@]+/gu;
const HAN = /[\u3400-\u9fff]/u;
const FORMAT = /\p{Cf}/gu; // zero-width spaces and joiners, soft hyphens, bidi marks: never typed on purpose

const form = document.querySelector(".up-search-page");
const input = document.getElementById("up-search-q");
const statusLine = document.getElementById("up-search-status");
const list = document.getElementById("up-search-results");
const more = document.getElementById("up-search-more");
const rest = document.getElementById("up-search-archive");
const filterBox = document.getElementById("up-search-filters");

let pagefind = null;
let setup = null;
const parts = new Map(); // t2s part number → its characters and phrases, loaded once each
const pinyinParts = new Map(); // pinyin part number → its keys' words, loaded once each
let shown = [];
const merging = new Map(); // shelf of the rest → its index being merged into Pagefind's (from then on every query searches it)
let merged = false;
let run = 0;
const chosen = { kind: "", column: "" };

async function loadPagefind() {
  if (!pagefind) {
    pagefind = await import(new URL("pagefind/pagefind.js", ROOT).href);
    // noWorker: the worker is a second 43 KB script for the first query; a query is quick enough on
    // the main thread, and old phones on weak signal feel the download more than the work.
    await pagefind.options({ baseUrl: ROOT.pathname, noWorker: true });
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

// The part of the pinyin table a key is in: the same 31-fold hash as search.pinyin_part.
const pinyinPartOf = (key, count) => {
  let hash = 0;
  for (const char of key) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) >>> 0;
  return hash % count;
};

async function pinyinLookup(keys, count) {
  const wanted = [...new Set(keys.map((key) => pinyinPartOf(key, count)))];
  await Promise.all(wanted.filter((n) => !pinyinParts.has(n)).map(async (n) => {
    pinyinParts.set(n, await getJSON(`pinyin/${n}.json`));
  }));
  return Object.fromEntries(keys.map((key) => [key, pinyinParts.get(pinyinPartOf(key, count))[key] || null]));
}

// "gongjiangjingshen" → gong jiang jing shen (the longest syllable first), or null if it is no pinyin.
function syllables(token) {
  const found = [];
  for (let rest = token; rest; ) {
    const match = SYLLABLE.exec(rest);
    if (!match) return null;
    found.push(match[0]);
    rest = rest.slice(match[0].length);
  }
  return found;
}

// A query in Latin letters → the site's words it may stand for: the whole query as one key
// (li xiuying → 李秀英), else each word as a key (gongjiang jingshen), else each word cut into the
// longest runs of syllables the table knows (gongjiangjingshen → 工匠 精神). Each result is a list of
// words to search together; the Latin query itself is searched as well (CNC, an ISBN).
async function fromPinyin(query, count) {
  const tokens = query.split(" ").filter(Boolean);
  const whole = (await pinyinLookup([tokens.join("")], count))[tokens.join("")];
  if (whole) return whole.map((word) => [word]);
  const cut = tokens.map((token) => syllables(token) || [token]);
  const spans = cut.flatMap((s) => s.flatMap((_, i) => s.slice(i).map((__, j) => s.slice(i, i + j + 1).join(""))));
  const known = await pinyinLookup([...new Set([...tokens, ...spans])], count);
  const choices = [];
  for (const [n, token] of tokens.entries()) {
    if (known[token]) {
      choices.push(known[token]);
      continue;
    }
    const s = cut[n];
    for (let i = 0; i < s.length; ) { // longest known run first; a syllable the table lacks stays Latin
      let j = s.length;
      while (j > i + 1 && !known[s.slice(i, j).join("")]) j--;
      const run = s.slice(i, j).join("");
      choices.push(known[run] ? [known[run][0]] : [run]);
      i = j;
    }
  }
  let found = [[]];
  for (const options of choices) found = found.flatMap((words) => options.map((word) => [...words, word])).slice(0, 8);
  return found.some((words) => words.some((word) => HAN.test(word))) ? found : [];
}

// The query a reader typed → the queries to run, each a list of words a page must all hold: the query
// itself, simplified, with each synonym of a word it contains, and a Latin query's words by their
// pinyin. Separators (中国梦·劳动美, 互联网+职工文化) become spaces.
async function variants(raw, synonyms, partOf, pinyinCount) {
  const base = fold(raw);
  if (!base) return [];
  const queries = new Set([base]);
  let asWritten = true; // whether the pages may hold the query as typed
  if (HAN.test(base)) queries.add(simplify(base, partOf));
  if (LATIN.test(base)) {
    for (const words of await fromPinyin(base, pinyinCount)) queries.add(words.join(" "));
    // The pinyin table lists a Latin word the pages hold under its own key (cnc, 5g): a query no page
    // holds as written (gongjiang) is not searched so, which spares its index chunk (25 KB at 10,000
    // stories) on a first query.
    const tokens = base.split(" ").filter(Boolean);
    const own = await pinyinLookup(tokens, pinyinCount);
    asWritten = tokens.every((token) => own[token]?.includes(token));
  }
  for (const query of [...queries]) {
    for (const group of synonyms) {
      const word = group.find((w) => query.includes(w));
      if (!word) continue;
      for (const other of group) if (other !== word) queries.add(query.replace(word, other));
    }
  }
  if (!asWritten && queries.size > 1) queries.delete(base);
  return [...queries].slice(0, 8).map((query) => [...new Set(query.split(" ").filter(Boolean))]);
}

// The pages that hold `word` itself, not only a word starting with its first character (Pagefind
// matches 草场 for 草稿, and drops a query word the index lacks: 航天发射 found 航天). An exact-phrase
// search answers most words; where ICU4X cut the page's text differently from the browser's
// segmenter (“云上课堂”) it finds nothing, and then the best few of Pagefind's plain answers are
// read and kept if their text holds the word. Each word is asked once per query.
const VERIFY = 20;
const asked = new Map();
function holders(pf, word, filters) {
  const key = JSON.stringify([word, filters]);
  if (!asked.has(key)) {
    asked.set(key, (async () => {
      const exact = await pf.search(`"${word}"`, filters);
      if (exact?.results?.length) return new Set(exact.results.map((result) => result.id));
      const loose = await pf.search(word, filters);
      const read = await Promise.all((loose?.results ?? []).slice(0, VERIFY).map(async (result) =>
        [result.id, (await result.data()).content.toLowerCase().includes(word)]));
      return new Set(read.filter(([, holds]) => holds).map(([id]) => id));
    })());
  }
  return asked.get(key);
}

// The rest of the site's records, shelf by shelf merged into the first index's instance (its
// WebAssembly serves them all). Pagefind lists the shelves in the order they are asked for. Pagefind
// keeps a shelf that failed to load (weak signal) in its list, and every later search of that
// instance fails: then the instance goes whole, and the next search starts a fresh one and merges
// every shelf again. A shelf that loaded is never asked for twice by one instance.
async function mergeArchive(pf, shelves = []) {
  try {
    await Promise.all(shelves.map((number) => {
      if (!merging.has(number)) {
        const path = new URL(`pagefind/archive/${number}/`, ROOT).pathname;
        merging.set(number, pf.mergeIndex(path, { baseUrl: ROOT.pathname }));
      }
      return merging.get(number);
    }));
  } catch (error) {
    if (pagefind === pf) {
      pagefind = null;
      merging.clear();
      asked.clear();
      merged = false;
      await pf.destroy();
    }
    throw error;
  }
  if (!merged) {
    merged = true;
    asked.clear(); // the words' holders were of the first part only
  }
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
  const [pf, { synonyms, t2s_parts: count, pinyin_parts: pinyinCount, archive }] = await Promise.all([loadPagefind(), loadSetup()]);
  const partOf = await loadParts(raw.normalize("NFKC"), count);
  const queries = await variants(raw, synonyms, partOf, pinyinCount);
  if (mine !== run) return;
  if (!queries.length) {
    await render([], raw);
    return;
  }
  let found = await find(pf, queries);
  if (archive && !merged && found.length < PAGE_SIZE) {
    await mergeArchive(pf, archive.shelves); // older deploys' setup had none: nothing to merge
    found = await find(pf, queries);
  }
  if (mine !== run) return;
  await showFilters();
  // A Latin query says which of the site's words it was read as (shuwu → 书屋).
  const spelled = LATIN.test(fold(raw)) ? queries.filter((q) => q.some((w) => HAN.test(w))).map((q) => q.join(" ")) : [];
  if (mine === run) await render(found, raw, spelled, queries);
}

// The pages every word of a variant finds, each with its best-ranked result, best first.
async function find(pf, queries) {
  const filters = { filters: filtersFor() };
  const [ranked, holding] = await Promise.all([
    Promise.all(queries.map((query) => pf.search(query.join(" "), filters))),
    Promise.all(queries.map((query) => Promise.all(query.map((word) => holders(pf, word, filters))))),
  ]);
  const best = new Map(); // page → its best-ranked result, and the words of every variant it holds
  for (const [n, answer] of ranked.entries()) {
    for (const result of answer?.results ?? []) {
      if (!holding[n].every((ids) => ids.has(result.id))) continue; // not every word: noise
      const had = best.get(result.id);
      const words = [...(had?.words ?? []), ...queries[n]];
      best.set(result.id, { result: !had || had.result.score < result.score ? result : had.result, words });
    }
  }
  return [...best.values()].sort((a, b) => b.result.score - a.result.score || (a.result.id < b.result.id ? -1 : 1));
}

async function render(results, raw, spelled = [], searched = []) {
  shown = results;
  list.replaceChildren();
  more.hidden = true;
  const { archive } = await loadSetup();
  const partial = archive && !merged && results.length > 0; // else the whole site was searched
  rest.hidden = !partial;
  const query = raw.trim();
  if (!query) {
    statusLine.textContent = "请输入要搜索的词，例如：劳模、职工书屋、工匠精神。";
    rest.hidden = true;
  } else {
    const read = spelled.length ? `（拼音：${spelled.join("、")}）` : "";
    const others = partial ? archive.records.toLocaleString("zh-CN") : "";
    const part = partial ? [...archive.pinned, archive.since ? `${shownDate(archive.since)}以来的内容` : "最新的内容"].join("和") : "";
    statusLine.textContent = !results.length
      ? `没有找到与“${query}”相关的内容。可以换一个词，或少写几个字再试。`
      : partial
        ? `“${query}”${read}在${part}中找到 ${results.length} 条结果，其余 ${others} 条内容还没有搜索`
        : `“${query}”${read}共找到 ${results.length} 条结果`;
    rest.textContent = `继续搜索其余 ${others} 条内容`;
    await showMore();
  }
  list.dataset.query = raw; // what the list now shows, and that it is complete (for tests and AT)
  list.dataset.searched = JSON.stringify(searched); // the variants it was searched as (for tests)
  list.setAttribute("aria-busy", "false");
}

async function showMore() {
  const start = list.children.length;
  const page = shown.slice(start, start + PAGE_SIZE);
  const data = await Promise.all(page.map((hit) => hit.result.data()));
  for (const [n, item] of data.entries()) list.append(entry(item, page[n].words));
  more.hidden = list.children.length >= shown.length;
  if (start > 0) list.children[start]?.querySelector("a")?.focus();
}

// The start of the word at or before `at` (ICU's words, as the index cut them).
const wordStart = (text, at) => (at <= 0 || at >= text.length ? Math.max(0, Math.min(at, text.length)) : words.segment(text).containing(at).index);

// The excerpt: from the text a reader reads on the page (meta "text" is where it lies in the record),
// starting at the clause or word before the first match, with every whole query word marked. A page
// found by its title or fields only shows the opening of its text, unmarked. Built as text nodes.
function excerpt(item, wanted) {
  const [from, to] = (item.meta.text || "").split("-").map(Number);
  const text = Number.isInteger(from) && Number.isInteger(to) ? item.content.slice(from, to) : "";
  if (!text) return []; // a work without a description: its title and facts say it all
  const lower = text.toLowerCase();
  const terms = [...new Set(wanted)].sort((a, b) => b.length - a.length);
  const hits = terms.map((term) => lower.indexOf(term)).filter((at) => at >= 0);
  const first = hits.length ? Math.min(...hits) : 0;
  let start = 0;
  if (first > LEAD) {
    const before = text.slice(first - LEAD, first);
    const clause = [...before].findLastIndex((char) => CLAUSE.test(char));
    start = clause >= 0 ? first - LEAD + [...before].slice(0, clause + 1).join("").length : wordStart(text, first - LEAD);
    while (start < first && /\s/u.test(text[start])) start++;
  }
  let end = start + EXCERPT >= text.length ? text.length : wordStart(text, start + EXCERPT);
  if (end <= first) end = Math.min(text.length, start + EXCERPT);
  const shown = text.slice(start, end);
  const out = document.createElement("p");
  out.className = "up-search-result__excerpt";
  if (start > 0) out.append("…");
  const low = shown.toLowerCase();
  let at = 0;
  while (at < shown.length) {
    const next = terms.map((term) => [low.indexOf(term, at), term]).filter(([i]) => i >= 0)
      .sort((a, b) => a[0] - b[0] || b[1].length - a[1].length)[0];
    if (!next) break;
    out.append(shown.slice(at, next[0]));
    const mark = document.createElement("mark");
    mark.textContent = shown.slice(next[0], next[0] + next[1].length);
    out.append(mark);
    at = next[0] + next[1].length;
  }
  out.append(shown.slice(at));
  if (end < text.length) out.append("…");
  return [out];
}

// One date style across the site (base.py's cn_date): 2026年5月12日.
const shownDate = (iso) => {
  const [year, month, day] = iso.split("-").map(Number);
  return year && month && day ? `${year}年${month}月${day}日` : iso;
};

function entry(item, wanted) {
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
    time.textContent = shownDate(item.meta.date);
    info.append(" · ", time);
  }
  li.append(link, info, ...excerpt(item, wanted));
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
rest.addEventListener("click", async () => {
  try {
    await mergeArchive(await loadPagefind(), (await loadSetup()).archive.shelves);
  } catch (error) {
    statusLine.textContent = "搜索索引没有下载完整（网络不稳定？），请稍后再按一次。";
    console.error(error);
    return;
  }
  await update();
  list.querySelector("a")?.focus(); // the button is gone: the reader goes on at the first result
});

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
