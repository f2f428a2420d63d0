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
    text: body.textContent};
}

function post(result) {
  return fetch("/__result__", {method: "POST", body: JSON.stringify(result)});
}

frame.addEventListener("load", () => findings().catch(
  error => ({error: String(error)})).then(post));
