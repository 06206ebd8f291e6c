// The bookforge preview: the built EPUB's own documents in a device frame, the PDF's pages in
// spreads, the problems pane, all kept current by the server's event stream without a reload.
"use strict";

// Screens in CSS pixels, as the devices' browsers lay out a page (real proportions).
const DEVICES = {
  eink6: { label: "6″ e-ink", width: 536, height: 724, kind: "eink", paper: "#f7f5ef" },  // 1072×1448 at 300 ppi
  reader7: { label: "7″ reader", width: 632, height: 840, kind: "eink", paper: "#f7f5ef" },  // 1264×1680
  phone: { label: "Phone", width: 393, height: 852, kind: "phone", paper: "#ffffff" },  // 6.1″, 1179×2556
  tablet: { label: "Tablet", width: 820, height: 1180, kind: "tablet", paper: "#ffffff" },  // 10.9″, 1640×2360
};
const TEXT_SIZES = [0.8, 0.9, 1, 1.1, 1.25, 1.4, 1.6, 1.8];

const $ = (selector) => document.querySelector(selector);
const ui = {
  frame: $("#reader"), device: $("#device"), holder: $("#device-holder"), counter: $("#page-counter"),
  contents: $("#contents"), problems: $("#problems"), status: $("#status"), banner: $("#error-banner"),
  spreads: $("#spreads"),
};
const view = {
  state: null, tab: "reading", device: "eink6", paged: true, text: 2, dark: false,
  href: null, digest: null, page: 0, pages: 1, loads: 0, styles: {},
};

// ---- the event stream --------------------------------------------------------------------------

function connect() {
  const events = new EventSource("/events");
  events.addEventListener("state", (event) => update(JSON.parse(event.data)));
  events.onerror = () => showStatus("failed", "Reconnecting to the preview server…");
}

function update(state) {
  if (view.state && state.version <= view.state.version) return;
  const before = view.state;
  view.state = state;
  if (state.book) {
    document.title = `${state.book.title} · bookforge preview`;
    $("#book-title").textContent = state.book.title;
  }
  showBuild(state);
  $("#reading-empty").hidden = Boolean(state.book) || state.building;
  ui.holder.hidden = !state.book;
  $(".reader-foot").hidden = !state.book;
  if (!state.book && state.pages.length && !(before && before.pages.length)) selectTab("print");  // a PDF alone
  if (state.book && !(before && before.book)) requestAnimationFrame(fitDevice);  // sized once it shows
  if (state.book && (!before || !before.book || before.book.digest !== state.book.digest)) {
    renderContents(state.book);
    refreshReading(state.book);
  }
  renderProblems(state.problems);
  renderPrint(state.pages, before ? before.pages : []);
}

function showStatus(kind, text) {
  ui.status.className = `status ${kind}`;
  ui.status.textContent = text;
}

function showBuild(state) {
  if (state.building) showStatus("building", "Building…");
  else if (state.error) showStatus("failed", "Build failed");
  else if (state.builtAt) showStatus("ok", `Up to date · ${new Date(state.builtAt * 1000).toLocaleTimeString()}`);
  ui.banner.hidden = !state.error;
  ui.banner.replaceChildren();
  if (state.error) {
    const head = element("div");
    head.append(element("strong", "The last build failed. "),
      state.error.where ? element("code", state.error.where + ": ") : "", state.error.message);
    ui.banner.append(head);
    if (state.error.hint) ui.banner.append(element("div", `hint: ${state.error.hint}`, "hint"));
    ui.banner.append(element("div", state.book ? "Showing the last good book." : "Nothing built yet.", "hint"));
  }
}

function element(tag, text, className) {
  const made = document.createElement(tag);
  if (text !== undefined && text !== null) made.textContent = text;
  if (className) made.className = className;
  return made;
}

// ---- contents and problems ---------------------------------------------------------------------

function renderContents(book) {
  const entries = (list) => list.map((entry) => {
    const item = element("li");
    const link = element("a", entry.title);
    link.dataset.href = entry.href;
    if (entry.author) link.append(element("span", entry.author, "author"));
    link.addEventListener("click", () => openDocument(entry.href, { fragment: entry.fragment }));
    item.append(link);
    if (entry.children.length) {
      const nested = element("ol");
      nested.append(...entries(entry.children));
      item.append(nested);
    }
    return item;
  });
  ui.contents.replaceChildren(...entries(book.toc));
  markCurrent();
}

function markCurrent() {
  for (const link of ui.contents.querySelectorAll("a")) link.classList.toggle("current", link.dataset.href === view.href);
}

function renderProblems(problems) {
  const count = $("#problem-count");
  count.textContent = problems.length;
  count.className = "count" + (problems.some((p) => p.severity === "error") ? " has-errors" : problems.length ? " has-warnings" : "");
  $("#no-problems").hidden = problems.length > 0;
  ui.problems.replaceChildren(...problems.map((problem) => {
    const item = element("li", null, `problem ${problem.severity}${problem.place ? " placed" : ""}`);
    const where = [problem.path, problem.line].filter(Boolean).join(":");
    const head = element("div", null, "head");
    head.append(element("span", null, "sev"), element("span", problem.code, "code"));
    if (where) head.append(element("span", where, "where"));
    item.append(head, element("div", problem.message, "message"));
    if (problem.hint) item.append(element("div", problem.hint, "hint"));
    item.title = problem.place ? "Show this place in the book" : "";
    if (problem.place) {
      item.addEventListener("click", () => {
        selectTab("reading");
        openDocument(problem.place.href, { words: problem.place.words });
      });
    }
    return item;
  }));
}

// ---- the reading view --------------------------------------------------------------------------

function frameDocument() {
  return ui.frame.contentDocument;
}

function firstStory(book) {
  const entry = book.toc.find((e) => !/contents\.xhtml$/.test(e.href)) || book.toc[0];
  return entry ? entry.href : book.spine[0].href;
}

function refreshReading(book) {
  const current = view.href && book.spine.find((c) => c.href === view.href);
  if (!current) {
    // The first build, or the shown chapter is gone (renamed, removed): the first story, or
    // whatever now stands where the reader was.
    const where = view.href ? view.spineIndex : -1;
    openDocument(where >= 0 && where < book.spine.length ? book.spine[where].href : firstStory(book), {});
    return;
  }
  if (current.digest !== view.digest) replaceDocument(current);
  else if (JSON.stringify(book.styles) !== JSON.stringify(view.styles)) restyle(book.styles);
}

function openDocument(href, { fragment = null, words = null, page = 0 } = {}) {
  const chapter = view.state.book.spine.find((c) => c.href === href);
  if (!chapter) return;
  view.target = { fragment, words, page };
  if (href === view.href && frameDocument() && frameDocument().body) {
    goToTarget();
    return;
  }
  view.href = href;
  view.spineIndex = view.state.book.spine.indexOf(chapter);
  view.digest = chapter.digest;
  ui.frame.src = `/book/${href}?v=${chapter.digest}`;  // a new version is a new address: no cache shows an old one
  markCurrent();
}

ui.frame.addEventListener("load", () => {
  const doc = frameDocument();
  if (!doc || !doc.documentElement || doc.location.href === "about:blank" || !view.state) return;
  view.loads += 1;
  ui.frame.dataset.loads = String(view.loads);
  const link = doc.createElement("link");
  link.rel = "stylesheet";
  link.href = "/static/frame.css";
  link.addEventListener("load", () => {
    layout();
    goToTarget();
    catchUp(doc);
  });
  doc.head.append(link);
  view.styles = view.state.book.styles;
  doc.addEventListener("keydown", onKey);
  doc.addEventListener("click", onFrameClick);
  doc.addEventListener("scroll", () => { if (!view.paged) showCounter(); });
  applySettings();
});

function applySettings() {
  const doc = frameDocument();
  const device = DEVICES[view.device];
  if (!doc || !doc.documentElement) return;
  const root = doc.documentElement;
  root.classList.toggle("bf-paged", view.paged);
  root.classList.toggle("bf-scroll", !view.paged);
  root.classList.toggle("bf-dark", view.dark);
  root.style.setProperty("--bf-text", String(TEXT_SIZES[view.text]));
  root.style.setProperty("--bf-paper", view.dark ? "#17171b" : device.paper);
  root.style.setProperty("--bf-margin-x", `${Math.round(device.width * 0.07)}px`);
  root.style.setProperty("--bf-margin-y", `${Math.round(device.height * 0.05)}px`);
}

function layout() {
  const doc = frameDocument();
  if (!doc || !doc.body) return;
  const win = ui.frame.contentWindow;
  view.pages = view.paged ? Math.max(1, Math.round(doc.scrollingElement.scrollWidth / win.innerWidth)) : 1;
  if (view.page >= view.pages) view.page = view.pages - 1;
}

function showPage(page) {
  const win = ui.frame.contentWindow;
  view.page = Math.max(0, Math.min(page, view.pages - 1));
  if (view.paged) win.scrollTo(view.page * win.innerWidth, 0);
  showCounter();
}

function showCounter() {
  const chapter = view.state.book.spine.find((c) => c.href === view.href);
  const title = chapter ? chapter.title : "";
  if (view.paged) {
    ui.counter.textContent = `Page ${view.page + 1} of ${view.pages} · ${title}`;
  } else {
    const scroller = frameDocument().scrollingElement;
    const range = scroller.scrollHeight - scroller.clientHeight;
    ui.counter.textContent = `${range > 0 ? Math.round((100 * scroller.scrollTop) / range) : 100}% · ${title}`;
  }
}

function goToTarget() {
  const target = view.target || {};
  view.target = null;
  layout();
  const found = target.words ? findWords(target.words) : target.fragment ? frameDocument().getElementById(target.fragment) : null;
  view.highlight = target.words || null;
  if (found) {
    highlight();
    reveal(found);
  } else {
    showPage(target.page === -1 ? view.pages - 1 : target.page || 0);
    if (!view.paged) frameDocument().scrollingElement.scrollTop = 0;
  }
}

function reveal(node) {
  const win = ui.frame.contentWindow;
  if (view.paged) {
    const left = node.getBoundingClientRect().left + win.scrollX;
    showPage(Math.floor(left / win.innerWidth));
  } else {
    node.scrollIntoView({ block: "center" });
    showCounter();
  }
}

// The place a problem pointed at stays marked, through rebuilds, until the reader goes elsewhere.
function highlight() {
  for (const old of frameDocument().querySelectorAll(".bf-found")) old.classList.remove("bf-found");
  const found = view.highlight ? findWords(view.highlight) : null;
  if (found) found.classList.add("bf-found");
}

// The same words as the server's: lower case, letters and digits only (typography aside).
function wordsOf(text) {
  return (text.replace(/\u00ad/g, "").toLowerCase().match(/[\p{L}\p{N}_]+/gu) || []).join(" ");
}

function findWords(words) {
  const blocks = frameDocument().body.querySelectorAll("p, li, h1, h2, h3, h4, h5, h6, blockquote, dd, dt, td, th, figcaption, pre");
  for (const block of blocks) {
    if (` ${wordsOf(block.textContent)} `.includes(` ${words} `)) return block;
  }
  return null;
}

// A rebuilt document replaces the shown one in place: same frame, same page (no reload, no flash).
// A build that lands while a chapter is still loading: once loaded, it is brought up to date in place.
function catchUp(doc) {
  view.digest = new URL(doc.location.href).searchParams.get("v");
  const current = view.state.book.spine.find((c) => c.href === view.href);
  if (current && current.digest !== view.digest) replaceDocument(current);
}

async function replaceDocument(chapter) {
  const response = await fetch(`/book/${chapter.href}`, { cache: "no-store" });
  if (!response.ok || view.href !== chapter.href) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "application/xhtml+xml");
  const doc = frameDocument();
  const shown = doc && doc.readyState === "complete" && doc.location.pathname === `/book/${chapter.href}`;
  if (!fresh.body || fresh.querySelector("parsererror") || !shown || !doc.body) return;  // catchUp will
  const scroller = doc.scrollingElement;
  const scrollTop = scroller.scrollTop;
  doc.body.replaceWith(doc.importNode(fresh.body, true));
  doc.title = fresh.title;
  view.digest = chapter.digest;
  highlight();
  restyle(view.state.book.styles);
  layout();
  if (view.paged) showPage(view.page);
  else { scroller.scrollTop = scrollTop; showCounter(); }
}

function restyle(styles) {
  const doc = frameDocument();
  if (!doc) return;
  for (const link of doc.querySelectorAll("link[rel=stylesheet]")) {
    const url = new URL(link.href);
    const name = decodeURIComponent(url.pathname.replace(/^\/book\//, ""));
    if (styles[name] && styles[name] !== view.styles[name]) {
      url.search = `?v=${styles[name]}`;
      link.addEventListener("load", () => { layout(); showPage(view.page); }, { once: true });
      link.href = url.href;
    }
  }
  view.styles = styles;
}

function turn(step) {
  if (!view.state || !view.state.book) return;
  if (!view.paged) {
    const scroller = frameDocument().scrollingElement;
    scroller.scrollBy({ top: step * scroller.clientHeight * 0.9 });
    return;
  }
  const next = view.page + step;
  if (next >= 0 && next < view.pages) { showPage(next); return; }
  const spine = view.state.book.spine;
  const index = spine.findIndex((c) => c.href === view.href) + step;
  if (index >= 0 && index < spine.length) openDocument(spine[index].href, { page: step < 0 ? -1 : 0 });
}

function onKey(event) {
  if (view.tab !== "reading" || event.altKey || event.ctrlKey || event.metaKey) return;
  if (["ArrowRight", "PageDown", " "].includes(event.key)) { turn(1); event.preventDefault(); }
  else if (["ArrowLeft", "PageUp"].includes(event.key)) { turn(-1); event.preventDefault(); }
}

// Like an e-reader: a tap on the left third goes back, elsewhere forward; links go where they point.
function onFrameClick(event) {
  const link = event.target.closest && event.target.closest("a[href]");
  if (link) {
    event.preventDefault();
    const url = new URL(link.href);
    if (url.origin === location.origin && url.pathname.startsWith("/book/")) {
      openDocument(decodeURIComponent(url.pathname.slice(6)), { fragment: url.hash.slice(1) || null });
    }
    return;
  }
  if (!view.paged) return;
  turn(event.clientX < ui.frame.contentWindow.innerWidth / 3 ? -1 : 1);
}

function fitDevice() {
  const device = DEVICES[view.device];
  ui.device.className = `device ${device.kind}`;
  ui.frame.style.width = `${device.width}px`;
  ui.frame.style.height = `${device.height}px`;
  const label = ui.device.querySelector(".device-label") || ui.device.appendChild(element("div", null, "device-label"));
  label.textContent = device.label;
  ui.device.style.transform = "none";
  const frameRect = ui.device.getBoundingClientRect();
  const room = ui.holder.getBoundingClientRect();
  const scale = Math.min(1, (room.height - 8) / frameRect.height, (room.width - 8) / frameRect.width);
  ui.device.style.transform = `scale(${scale})`;
}

function chooseDevice(name) {
  view.device = name;
  for (const button of document.querySelectorAll("#devices button")) button.setAttribute("aria-pressed", String(button.dataset.device === name));
  fitDevice();
  applySettings();
  relayout();
}

function relayout() {
  const doc = frameDocument();
  if (!view.href || !doc || !doc.body) return;
  // Keep the reader on the text they were reading: the first paragraph of the page, re-found.
  const anchor = view.paged ? firstVisible() : null;
  requestAnimationFrame(() => {
    layout();
    if (anchor) reveal(anchor);
    else showCounter();
  });
}

function firstVisible() {
  const doc = frameDocument();
  for (const block of doc.body.querySelectorAll("p, h1, h2, h3, li, blockquote")) {
    const box = block.getBoundingClientRect();
    if (box.right > 0 && box.left < ui.frame.contentWindow.innerWidth && box.width > 0) return block;
  }
  return null;
}

// ---- the print view ----------------------------------------------------------------------------

function renderPrint(pages, before) {
  $("#print-empty").hidden = pages.length > 0;
  const old = new Map(before.map((page, index) => [index, page.digest]));
  const sheets = [];
  const spreadsNeeded = Math.floor(pages.length / 2) + 1;
  while (ui.spreads.children.length > spreadsNeeded) ui.spreads.lastChild.remove();
  while (ui.spreads.children.length < spreadsNeeded) ui.spreads.append(element("div", null, "spread"));
  // Page 1 is a recto on its own, on the right; then each verso faces the recto after it.
  for (let spread = 0; spread < spreadsNeeded; spread += 1) {
    const holder = ui.spreads.children[spread];
    const indexes = spread === 0 ? [null, 0] : [2 * spread - 1, 2 * spread];
    while (holder.children.length < 2) holder.append(element("div", null, "sheet"));
    indexes.forEach((index, side) => sheets.push([holder.children[side], index, side]));
  }
  for (const [sheet, index, side] of sheets) {
    const page = index !== null && index < pages.length ? pages[index] : null;
    sheet.className = `sheet ${side ? "recto" : "verso"}${page ? "" : " blank"}`;
    if (!page) { sheet.replaceChildren(); continue; }
    sheet.style.aspectRatio = `${page.width} / ${page.height}`;
    let image = sheet.querySelector("img");
    if (!image) {
      image = element("img");
      image.loading = "lazy";
      image.decoding = "async";
      sheet.replaceChildren(image, element("span", null, "folio"));
    }
    image.alt = `Page ${index + 1}`;
    image.dataset.page = String(index + 1);
    sheet.querySelector(".folio").textContent = String(index + 1);
    if (image.dataset.digest !== page.digest) {
      image.dataset.digest = page.digest;
      image.src = `/pages/${page.digest}.png`;  // only a changed page gets a new picture
      sheet.classList.toggle("fresh", old.has(index) && old.get(index) !== page.digest);
    }
  }
}

// ---- controls ----------------------------------------------------------------------------------

// The print view's page width in CSS pixels, remembered for the next visit.
const PAGE_SIZE_KEY = "bookforge.printPageWidth";

function setUpPageSize() {
  const slider = $("#page-size");
  const show = (width) => {
    slider.value = String(width);
    ui.spreads.style.setProperty("--sheet-width", `${width}px`);
  };
  const saved = Number(localStorage.getItem(PAGE_SIZE_KEY));
  show(saved >= Number(slider.min) && saved <= Number(slider.max) ? saved : Number(slider.defaultValue));
  slider.addEventListener("input", () => {
    show(Number(slider.value));
    localStorage.setItem(PAGE_SIZE_KEY, slider.value);
  });
}

function selectTab(tab) {
  view.tab = tab;
  for (const button of document.querySelectorAll(".tab")) button.setAttribute("aria-pressed", String(button.dataset.view === tab));
  $("#reading-view").hidden = tab !== "reading";
  $("#print-view").hidden = tab !== "print";
  document.body.classList.toggle("printing", tab === "print");
  if (tab === "reading") requestAnimationFrame(fitDevice);
}

function setUp() {
  for (const [name, device] of Object.entries(DEVICES)) {
    const button = element("button", device.label);
    button.type = "button";
    button.dataset.device = name;
    button.title = `${device.label}: ${device.width}×${device.height}`;
    button.addEventListener("click", () => chooseDevice(name));
    $("#devices").append(button);
  }
  for (const button of document.querySelectorAll(".tab")) button.addEventListener("click", () => selectTab(button.dataset.view));
  const mode = (paged) => {
    view.paged = paged;
    $("#mode-pages").setAttribute("aria-pressed", String(paged));
    $("#mode-scroll").setAttribute("aria-pressed", String(!paged));
    applySettings();
    relayout();
  };
  $("#mode-pages").addEventListener("click", () => mode(true));
  $("#mode-scroll").addEventListener("click", () => mode(false));
  const size = (step) => {
    view.text = Math.max(0, Math.min(TEXT_SIZES.length - 1, view.text + step));
    applySettings();
    relayout();
  };
  $("#text-smaller").addEventListener("click", () => size(-1));
  $("#text-larger").addEventListener("click", () => size(1));
  $("#dark").addEventListener("click", () => {
    view.dark = !view.dark;
    $("#dark").setAttribute("aria-pressed", String(view.dark));
    applySettings();
  });
  $("#prev").addEventListener("click", () => turn(-1));
  $("#next").addEventListener("click", () => turn(1));
  document.addEventListener("keydown", onKey);
  // The room for the device changes with the window and with the error banner above it: refit.
  new ResizeObserver(() => fitDevice()).observe(ui.holder);
  setUpPageSize();
  chooseDevice(view.device);
  connect();
}

setUp();
