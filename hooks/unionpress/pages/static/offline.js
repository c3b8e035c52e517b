// Offline reading, in the page: registers the site's service worker (/sw.js, written by outputs/offline.py
// in a production build; _head.html loads this file only there), tells it which page is being read and
// which pictures it shows (so a first visit, before the worker ran, is saved too), shows the
// 「保存以便离线阅读」 button, and on the offline page lists what is saved on this phone.
// Where there is no service worker (WeChat's browser on iOS), nothing of this runs: the button stays
// hidden and the reading room's note suggests the EPUB downloads instead.
const ROOT = new URL("../../", import.meta.url); // this file is ROOT/assets/unionpress/offline.js
const root = document.documentElement;
// What this file knows is shown on <html> as data-offline-* (the worker's version, whether this page is
// saved, how many are): not data-up-*, which on <html> are the reader's settings (care.js) that 全部重置 clears.
const PAGES = "up-pages"; // the worker's cache of pages read, and its list of them (sw.js)
const INDEX = new URL("offline/saved.json", ROOT).href;

function noWorker() {
  root.classList.remove("up-sw"); // a registration that failed: the button's kept room closes (core.css)
  for (const note of document.querySelectorAll("[data-up-nosw]")) note.hidden = false;
}

function ask(worker, message) {
  return new Promise((answer) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => answer(event.data || {});
    worker.postMessage(message, [channel.port2]);
  });
}

function pictures() {
  return [...document.images].map((image) => image.currentSrc || "").filter((src) => src.startsWith(ROOT.origin));
}

// Which worker took over last: an answer from one that has been replaced since (a new build's worker
// activated while the old one was still saving this page) must not name the version shown.
let takeovers = 0;

async function keepThisPage(worker) {
  const asked = takeovers;
  const answer = await ask(worker, { type: "keep", url: location.href, title: document.title, pictures: pictures() });
  if (asked === takeovers) root.dataset.offlineWorker = answer.version || "";
  root.dataset.offlinePage = answer.saved ? "saved" : "ready";
  return answer.saved;
}

async function listSaved(list) {
  const cache = await caches.open(PAGES);
  const answer = await cache.match(INDEX);
  const index = answer ? await answer.json() : { pages: {} };
  const pages = Object.entries(index.pages).sort((a, b) => b[1].read - a[1].read);
  list.replaceChildren(...pages.map(([url, page]) => {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = url;
    link.textContent = page.title || decodeURI(new URL(url).pathname);
    item.append(link);
    return item;
  }));
  const none = document.querySelector("[data-up-saved-none]");
  if (none) none.hidden = pages.length > 0;
  root.dataset.offlineSaved = String(pages.length);
}

function setUp(registration) {
  const worker = () => registration.active;
  for (const holder of document.querySelectorAll("[data-up-save]")) {
    holder.hidden = false;
    const button = holder.querySelector("button");
    const status = holder.querySelector("[role=status]");
    button.addEventListener("click", async () => {
      button.disabled = true;
      status.textContent = "正在保存……";
      const saved = await keepThisPage(worker()).catch(() => false);
      status.textContent = saved ? "已保存到这部手机，没有信号时也能打开。" : "没能保存：请在有信号时再试一次。";
      button.disabled = false;
    });
  }
  keepThisPage(worker()).catch(() => {});
  navigator.serviceWorker.addEventListener("controllerchange", () => { // a new build's worker took over
    const asked = ++takeovers;
    ask(worker(), { type: "version" }).then((answer) => {
      if (asked === takeovers) root.dataset.offlineWorker = answer.version || "";
    });
  });
}

const list = document.querySelector("[data-up-saved-list]");
if (list && "caches" in window) listSaved(list).catch(() => {});
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(new URL("sw.js", ROOT), { scope: ROOT.pathname })
    .then((registration) => {
      // An install that fails (a file it precaches missing: a half-uploaded site) never makes `ready`
      // settle: with no worker active, its failure is no worker.
      const installing = registration.installing || registration.waiting;
      if (!registration.active) {
        if (!installing) return Promise.reject(new Error("no worker"));
        installing.addEventListener("statechange", () => {
          if (installing.state === "redundant" && !registration.active) noWorker();
        });
      }
      return navigator.serviceWorker.ready;
    })
    .then(setUp, noWorker);
} else {
  noWorker();
}
