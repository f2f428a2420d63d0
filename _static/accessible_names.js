// Accessibility fixes for markup the theme and docutils write, checked
// by axe-core in tests/test_site.py.
document.addEventListener("DOMContentLoaded", () => {
  // The search and colour-mode buttons carry an aria-label that leaves
  // out the text they show ("Ctrl+K", the modes' names), so a speech user
  // saying what they see would miss them (WCAG 2.5.3): name each button
  // with all of its visible text.
  for (const button of document.querySelectorAll(".search-button-field")) {
    button.setAttribute("aria-label", "Search Ctrl+K");
  }
  for (const button of document.querySelectorAll(".theme-switch-button")) {
    button.setAttribute("aria-label",
                        "Color mode: Light Dark System Settings");
  }
  // A folded answer's toggle is named by what it shows ("Show solution"),
  // not by MyST-NB's generic "Toggle hidden content".
  for (const summary of document.querySelectorAll(
      "details > summary[aria-label='Toggle hidden content']")) {
    summary.removeAttribute("aria-label");
  }
  // The bibliography: docutils marks a list of <div>s, with bare anchors
  // among them, as role="list" of deprecated "doc-biblioentry" items,
  // which screen readers announce wrongly. Plain <div>s read right.
  for (const list of document.querySelectorAll(".citation-list[role]")) {
    list.removeAttribute("role");
  }
  for (const entry of document.querySelectorAll(
      ".citation[role='doc-biblioentry']")) {
    entry.removeAttribute("role");
  }
});
