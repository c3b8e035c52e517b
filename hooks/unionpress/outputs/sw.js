// UnionPress offline reading: the service worker. outputs/offline.py writes it as /sw.js in a production
// build, from the public view only, with CONFIG filled in; a preview build writes none and registers none.
//
// Two caches. The shell (up-shell-VERSION): the stylesheets, the toolbar, the search page's code, the
// reading room's index pages and the offline page, fetched on install; a new build is a new VERSION (the
// build's content hash), so the browser installs the new worker on the next visit and the old shell goes.
// The pages read (up-pages): each story, book, share, exhibition or entry page the reader opens, with the
// pictures the page loaded (at the size it used), up to CONFIG.budget bytes, least recently read first
// out. On activate, a saved page no longer in CONFIG.published's list is dropped: a withdrawn story
// leaves the phone on its next online visit.
const CONFIG = /*CONFIG*/null;
const SCOPE = new URL(self.registration.scope);
const SHELL = `up-shell-${CONFIG.version}`;
const PAGES = "up-pages";
const at = (path) => new URL(path, SCOPE).href;
const INDEX = at("offline/saved.json"); // the list of saved pages, kept in PAGES; never a file of the site
const WAIT = 4000; // weak signal: after this long, a saved copy rather than a blank screen

function normal(address) {
  const url = new URL(address);
  url.search = "";
  url.hash = "";
  return url.href;
}

// Changes to the saved list one at a time: a page and its pictures arrive together.
let chain = Promise.resolve();
function serial(task) {
  const run = chain.then(task, task);
  chain = run.catch(() => {});
  return run;
}

let publishedSet = null;
async function published() {
  if (!publishedSet) {
    const answer = await (await caches.open(SHELL)).match(at(CONFIG.published));
    publishedSet = new Set(answer ? (await answer.json()).map(at) : []);
  }
  return publishedSet;
}

async function readIndex(cache) {
  const answer = await cache.match(INDEX);
  return answer ? answer.json() : { pages: {}, pictures: {} };
}

function writeIndex(cache, index) {
  return cache.put(INDEX, new Response(JSON.stringify(index), { headers: { "Content-Type": "application/json" } }));
}

function total(index) {
  let bytes = 0;
  for (const page of Object.values(index.pages)) bytes += page.bytes;
  for (const size of Object.values(index.pictures)) bytes += size;
  return bytes;
}

async function forget(index, cache, page) {
  const entry = index.pages[page];
  delete index.pages[page];
  await cache.delete(page);
  const still = new Set(Object.values(index.pages).flatMap((kept) => kept.pictures));
  for (const picture of entry ? entry.pictures : []) {
    if (!still.has(picture)) {
      delete index.pictures[picture];
      await cache.delete(picture);
    }
  }
}

async function evict(index, cache, reading) {
  const oldest = Object.keys(index.pages).sort((a, b) => index.pages[a].read - index.pages[b].read);
  for (const page of oldest) {
    if (total(index) <= CONFIG.budget) break;
    if (page !== reading) await forget(index, cache, page);
  }
}

function titleOf(text) {
  const found = /<title>([^<]*)<\/title>/.exec(text);
  const title = found ? found[1] : "";
  const plain = title.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
  return bare(plain);
}

function bare(title) { // "标题 - 站名" → "标题"
  const suffix = ` - ${CONFIG.site}`;
  return title.endsWith(suffix) ? title.slice(0, -suffix.length) : title;
}

async function store(cache, url, response) {
  const bytes = (await response.clone().arrayBuffer()).byteLength;
  await cache.put(url, response);
  return bytes;
}

// Keep a page and the pictures it shows on this phone. `response`: the page as it just came from the
// network; `shown`: pictures in hand (url → response); `pictures`: more to fetch when missing; a page not
// saved yet is fetched only when `fetchPage` (the save button, a first visit before the worker ran).
async function keep(page, { title = "", pictures = [], response = null, shown = {}, fetchPage = true } = {}) {
  if (!(await published()).has(page)) return false;
  const cache = await caches.open(PAGES);
  let bytes;
  if (response) {
    title = title || titleOf(await response.clone().text());
    bytes = await store(cache, page, response);
  } else if (fetchPage && !(await cache.match(page))) {
    const fresh = await fetch(page);
    if (!fresh.ok) return false;
    bytes = await store(cache, page, fresh);
  }
  const sizes = {};
  for (const [picture, answer] of Object.entries(shown)) sizes[picture] = await store(cache, picture, answer);
  for (const picture of pictures) {
    if (new URL(picture).origin !== SCOPE.origin || picture in sizes) continue;
    if (await cache.match(picture)) {
      sizes[picture] = null; // saved with another page
      continue;
    }
    try {
      const fresh = await fetch(picture);
      if (fresh.ok) sizes[picture] = await store(cache, picture, fresh);
    } catch (error) {
      // no signal for this picture now: the page is kept without it
    }
  }
  return serial(async () => {
    const index = await readIndex(cache);
    const entry = index.pages[page] || { title: "", bytes: 0, read: 0, pictures: [] };
    if (title) entry.title = bare(title);
    if (bytes !== undefined) entry.bytes = bytes;
    entry.read = Date.now();
    for (const [picture, size] of Object.entries(sizes)) {
      index.pictures[picture] = size === null ? index.pictures[picture] || 0 : size;
      if (!entry.pictures.includes(picture)) entry.pictures.push(picture);
    }
    index.pages[page] = entry;
    await evict(index, cache, page);
    await writeIndex(cache, index);
    return page in index.pages;
  });
}

async function dropUnpublished() {
  const list = await published();
  const cache = await caches.open(PAGES);
  const index = await readIndex(cache);
  for (const page of Object.keys(index.pages)) {
    if (!list.has(page)) await forget(index, cache, page);
  }
  await writeIndex(cache, index);
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const shell = await caches.open(SHELL);
    await shell.addAll(CONFIG.precache.map((path) => new Request(at(path), { cache: "reload" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("up-shell-") && name !== SHELL) await caches.delete(name);
    }
    await serial(dropUnpublished);
    await self.clients.claim();
  })());
});

async function saved(page) {
  return (await (await caches.open(PAGES)).match(page)) || (await (await caches.open(SHELL)).match(page));
}

async function navigate(event) {
  const page = normal(event.request.url);
  const copy = await saved(page);
  const network = fetch(event.request);
  try {
    const response = await (copy ? Promise.race([network, new Promise((done) => setTimeout(done, WAIT))]) : network);
    if (!response) {
      event.waitUntil(network.then((late) => late.ok && keep(page, { response: late })).catch(() => {}));
      return copy;
    }
    if (response.ok) {
      event.waitUntil(keep(page, { response: response.clone() }).catch(() => {}));
    } else if (response.status === 404 || response.status === 410) {
      event.waitUntil(serial(async () => { // withdrawn: off the phone too
        const cache = await caches.open(PAGES);
        const index = await readIndex(cache);
        if (page in index.pages) {
          await forget(index, cache, page);
          await writeIndex(cache, index);
        }
      }));
    }
    return response;
  } catch (error) {
    return copy || (await (await caches.open(SHELL)).match(at(CONFIG.offline))) || Response.error();
  }
}

async function picture(event) {
  const copy = await caches.match(event.request);
  if (copy) return copy;
  try {
    const response = await fetch(event.request);
    const answer = response.ok && event.clientId ? response.clone() : null;
    if (answer) {
      event.waitUntil((async () => {
        const client = await self.clients.get(event.clientId);
        if (client) await keep(normal(client.url), { shown: { [event.request.url]: answer }, fetchPage: false });
      })().catch(() => {}));
    }
    return response;
  } catch (error) {
    return Response.error();
  }
}

async function shellFirst(request) {
  const copy = await caches.match(request);
  if (copy) return copy;
  return fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !request.url.startsWith(SCOPE.href)) return;
  if (request.mode === "navigate") event.respondWith(navigate(event));
  else if (request.destination === "image") event.respondWith(picture(event));
  else event.respondWith(shellFirst(request));
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const port = event.ports[0];
  if (data.type === "keep") {
    event.waitUntil(keep(normal(data.url), { title: data.title || "", pictures: data.pictures || [] })
      .then((kept) => port && port.postMessage({ saved: kept, version: CONFIG.version }),
            () => port && port.postMessage({ saved: false, version: CONFIG.version })));
  } else if (data.type === "version" && port) {
    port.postMessage({ version: CONFIG.version });
  }
});
