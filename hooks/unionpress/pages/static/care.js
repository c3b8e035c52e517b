// UnionPress 适老化 / 无障碍 toolbar, shipped with the site (government sites usually embed one from
// another host; ours loads nothing from anywhere). Text size, high-contrast colours, a reading line,
// a large cursor and a text-only mode are attributes on <html> that the stylesheet acts on; the
// inline script in the page head sets them from localStorage before the first paint, and this file
// draws the toolbar, keeps the settings and reads aloud through the browser's speech synthesis.

const KEY = "unionpress-care";
const LOOKS = ["size", "contrast", "ruler", "cursor", "textonly"]; // data-up-* attributes on <html>
const NAMES = { size: "字号", contrast: "配色", ruler: "阅读线", cursor: "大鼠标", textonly: "纯文本", point: "指读",
  rate: "语速" };
const BLOCKS = "h1,h2,h3,h4,h5,h6,p,li,blockquote,figcaption,dt,dd,th,td";
const POINTABLE = `a,button,label,legend,input,${BLOCKS}`;

const root = document.documentElement;
const toggle = document.getElementById("up-care-toggle");
const panel = document.getElementById("up-care");
const status = document.getElementById("up-care-status");
const speech = "speechSynthesis" in window ? window.speechSynthesis : null;
let settings = read();
let ruler = null;

function read() {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) || "{}");
    return stored && typeof stored === "object" ? stored : {};
  } catch {
    return {};
  }
}

function save() {
  try {
    localStorage.setItem(KEY, JSON.stringify(settings));
  } catch {
    // private mode or storage full: the settings still hold on this page
  }
}

function say(text) {
  status.textContent = "";
  // a fresh text node, so a screen reader announces the same words said twice
  requestAnimationFrame(() => { status.textContent = text; });
}

function apply() {
  for (const name of LOOKS) {
    if (settings[name]) root.setAttribute(`data-up-${name}`, settings[name]);
    else root.removeAttribute(`data-up-${name}`);
  }
  for (const button of panel.querySelectorAll("[data-care]")) {
    const value = settings[button.dataset.care] || "";
    const pressed = "toggle" in button.dataset ? Boolean(value) : value === button.dataset.value;
    button.setAttribute("aria-pressed", String(pressed));
  }
  showRuler(Boolean(settings.ruler));
  if (settings.textonly) describeImages();
}

function choose(button) {
  const name = button.dataset.care;
  const isToggle = "toggle" in button.dataset;
  const value = isToggle ? (settings[name] ? "" : "on") : button.dataset.value;
  if (value) settings[name] = value;
  else delete settings[name];
  save();
  apply();
  if (name === "point" && !value && speech) speech.cancel();
  say(isToggle ? `${NAMES[name]}：${value ? "已开启" : "已关闭"}` : `${NAMES[name]}：${button.textContent}`);
}

// Text-only mode hides the pictures; each one's alt text stays, in words, where it was.
function describeImages() {
  for (const image of document.querySelectorAll("img[alt]:not([data-up-described])")) {
    image.dataset.upDescribed = "";
    if (!image.alt.trim()) continue;
    const words = Object.assign(document.createElement("span"), { className: "up-alt", textContent: `〔图片：${image.alt}〕` });
    // After the <picture> (hidden with the picture) and the lightbox link around it, not inside them.
    (image.closest("a.up-lightbox") || image.closest("picture") || image).after(words);
  }
}

// The reading line follows the pointer, and the keyboard focus for those who read by Tab.
function showRuler(on) {
  if (on && !ruler) {
    ruler = Object.assign(document.createElement("div"), { className: "up-ruler" });
    ruler.setAttribute("aria-hidden", "true");
    document.body.append(ruler);
    ruler.style.top = `${Math.round(window.innerHeight / 3)}px`;
  } else if (!on && ruler) {
    ruler.remove();
    ruler = null;
  }
}

function moveRuler(y) {
  if (ruler) ruler.style.top = `${Math.round(y - ruler.offsetHeight / 2)}px`;
}

document.addEventListener("pointermove", (event) => moveRuler(event.clientY), { passive: true });

// -- read aloud ------------------------------------------------------------------------------------

function utter(text) {
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = "zh-CN";
  utterance.rate = Number(settings.rate) || 1;
  return utterance;
}

// The article in reading order: each block once (a list item's own paragraph is not read twice).
function articleBlocks() {
  const article = document.querySelector("#up-main article, #up-main, main") || document.body;
  const blocks = [...article.querySelectorAll(BLOCKS)];
  return blocks.filter((block) => !blocks.some((other) => other !== block && other.contains(block)))
    .filter((block) => block.innerText.trim() && !block.closest(".up-care, [hidden], [aria-hidden='true'], [data-up-noread]"));
}

function readAll() {
  if (!speech) return say("这个浏览器不支持朗读");
  speech.cancel();
  const blocks = articleBlocks();
  for (const block of blocks) {
    const utterance = utter(block.innerText.trim());
    utterance.addEventListener("start", () => block.classList.add("up-reading"));
    utterance.addEventListener("end", () => block.classList.remove("up-reading"));
    utterance.addEventListener("error", () => block.classList.remove("up-reading"));
    speech.speak(utterance);
  }
  say(`开始朗读全文，共 ${blocks.length} 段`);
}

function stopReading() {
  if (speech) speech.cancel();
  for (const block of document.querySelectorAll(".up-reading")) block.classList.remove("up-reading");
  say("已停止朗读");
}

// 指读: what is under the pointer, or has the focus, is read out (the last one only, never a queue).
let pointed = null;
let pause = null;
function point(target) {
  if (!settings.point || !speech || !(target instanceof Element) || target.closest(".up-care")) return;
  const element = target.closest(POINTABLE);
  if (!element || element === pointed) return;
  pointed = element;
  const text = (element.getAttribute("aria-label") || element.innerText || element.value || "").trim();
  if (!text) return;
  clearTimeout(pause);
  pause = setTimeout(() => {
    speech.cancel();
    speech.speak(utter(text.slice(0, 300)));
  }, 250);
}

document.addEventListener("pointerover", (event) => point(event.target), { passive: true });
document.addEventListener("focusin", (event) => {
  point(event.target);
  if (ruler && event.target instanceof Element) {
    const box = event.target.getBoundingClientRect();
    moveRuler(box.top + box.height / 2);
  }
});

// -- the toolbar -----------------------------------------------------------------------------------

function open(show) {
  panel.hidden = !show;
  toggle.setAttribute("aria-expanded", String(show));
  if (show) panel.querySelector("button")?.focus();
  else toggle.focus();
  say(show ? "无障碍工具栏已打开，按 Esc 关闭" : "无障碍工具栏已关闭");
}

const ACTIONS = {
  read: readAll,
  stop: stopReading,
  close: () => open(false),
  reset: () => {
    settings = {};
    save();
    stopReading();
    apply();
    say("已恢复默认设置");
  },
};

panel.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("button") : null;
  if (!button) return;
  if (button.dataset.care) choose(button);
  else ACTIONS[button.dataset.careAction]?.();
});
panel.addEventListener("keydown", (event) => {
  if (event.key === "Escape") open(false);
});
toggle.addEventListener("click", () => open(panel.hidden));
document.addEventListener("keydown", (event) => {
  if (event.altKey && event.shiftKey && event.code === "KeyA") {
    event.preventDefault();
    open(panel.hidden);
  }
});

for (const button of panel.querySelectorAll("[data-care-action='read'],[data-care-action='stop'],[data-care='point'],[data-care='rate']")) {
  if (!speech) button.disabled = true;
}
toggle.hidden = false;
apply();
