// Runs in the probe page (scripts/site_browser.py) once the iframe has
// loaded a page of the site; posts its findings to /__result__.
const frame = document.getElementById("page");
const sleep = ms => new Promise(done => setTimeout(done, ms));

async function imageLoads(img) {
  const copy = new Image();
  copy.src = img.currentSrc || img.src;
  try { await copy.decode(); return copy.naturalWidth > 0; }
  catch (error) { return false; }
}

async function searchResults(win, doc) {
  if (!win.location.pathname.endsWith("/search.html")) return [];
  // Sphinx's search adds p.search-summary when it has finished.
  for (let i = 0; i < 100 && !doc.querySelector(".search-summary"); i++) {
    await sleep(100);
  }
  const list = doc.querySelector("ul.search");
  return list ? [...list.querySelectorAll("a")].map(a => a.href) : [];
}

// axe-core (served by the test server at /__axe__) in the page itself:
// its violations of WCAG 2.x A and AA and of axe's best practices.
async function accessibility(win, doc) {
  await new Promise((done, fail) => {
    const script = doc.createElement("script");
    script.src = "/__axe__";
    script.onload = done;
    script.onerror = () => fail(new Error("axe-core did not load"));
    doc.head.appendChild(script);
  });
  const result = await win.axe.run(doc, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
    nodes: v.nodes.slice(0, 3).map(
      n => n.target.join(" ") + ": " + n.html.slice(0, 400) + (n.failureSummary ? " || " + n.failureSummary.slice(0, 300) : ""))}));
}

// The time of the page's first contentful paint; null when it has not
// painted within 10 s.
function firstPaint(win) {
  return new Promise(done => {
    const seen = entries => {
      const paint = entries.find(e => e.name === "first-contentful-paint");
      if (paint) { done(paint.startTime); }
    };
    new win.PerformanceObserver(list => seen(list.getEntries())).observe(
      {type: "paint", buffered: true});
    setTimeout(() => done(null), 10000);
  });
}

// What the page cost to load: bytes of every file (the page itself
// included) and the time to first contentful paint.
async function weight(win) {
  const [page] = win.performance.getEntriesByType("navigation");
  const files = win.performance.getEntriesByType("resource");
  return {
    bytes: [page, ...files].reduce((sum, f) => sum + f.decodedBodySize, 0),
    files: files.length + 1,
    first_paint_ms: await firstPaint(win)};
}

// The animation players' controls: each in the keyboard's tab order
// (a focusable, visible, enabled element with tabIndex >= 0), and each
// player really steps ("next frame" shows another frame). Native buttons
// and a range input answer Enter, Space and the arrow keys by themselves.
function keyboard(win, doc) {
  const players = [...doc.querySelectorAll(".ganlib-animation")];
  const unreachable = [];
  let stepping = 0;
  for (const player of players) {
    for (const control of player.querySelectorAll("button, input")) {
      control.focus({preventScroll: true});
      const reachable = control.tabIndex >= 0 && !control.disabled
          && control.getClientRects().length > 0
          && doc.activeElement === control;
      if (!reachable) {
        unreachable.push(control.getAttribute("aria-label")
                         || control.outerHTML.slice(0, 80));
      }
    }
    const image = player.querySelector("img");
    const first = image.src;
    const next = player.querySelector("[data-action=next]");
    if (next) { next.click(); }
    if (image.src !== first) { stepping += 1; }
    const back = player.querySelector("[data-action=first]");
    if (back) { back.click(); }
  }
  if (doc.activeElement) { doc.activeElement.blur(); }
  win.scrollTo(0, 0);
  return {players: players.length, unreachable: unreachable,
          stepping: stepping};
}

async function findings() {
  const win = frame.contentWindow, doc = frame.contentDocument;
  if (win.MathJax && win.MathJax.startup && win.MathJax.startup.promise) {
    await win.MathJax.startup.promise;
  }
  const math = [...doc.querySelectorAll(".math")];
  const broken = [];
  for (const img of doc.images) {
    if (!(await imageLoads(img))) broken.push(img.getAttribute("src"));
  }
  const body = doc.body.cloneNode(true);
  body.querySelectorAll("pre, code, script, style, textarea, mjx-container")
      .forEach(node => node.remove());
  return {
    math: math.length,
    untypeset: math.filter(n => !n.querySelector("mjx-container"))
                   .map(n => n.textContent.slice(0, 80)),
    images: doc.images.length, broken_images: broken,
    search_results: await searchResults(win, doc),
    load: await weight(win),
    violations: await accessibility(win, doc),
    keyboard: keyboard(win, doc),
    search_fields: [...doc.querySelectorAll(".search-button-field")]
        .filter(field => field.getClientRects().length > 0).length,
    text: body.textContent};
}

function post(result) {
  return fetch("/__result__", {method: "POST", body: JSON.stringify(result)});
}

frame.addEventListener("load", () => findings().catch(
  error => ({error: String(error)})).then(post));
