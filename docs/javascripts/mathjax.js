// MathJax 3 for the Markdown pages (pymdownx.arithmatex, generic mode: \( \) and \[ \]) and for
// the tutorials' Markdown cells rendered by mkdocs-jupyter (raw $ and $$). Everything else, the
// code cells and their outputs included, is left alone: MathJax re-tests ignoreHtmlClass at
// every element, so it names the page body's class (not ".*|", which would match the class-less
// <p> inside a notebook cell and skip it again).
window.MathJax = {
  tex: { inlineMath: [["\\(", "\\)"], ["$", "$"]], displayMath: [["\\[", "\\]"], ["$$", "$$"]],
         processEscapes: true, processEnvironments: true },
  options: { ignoreHtmlClass: "md-typeset", processHtmlClass: "arithmatex|jp-MarkdownOutput" }
};
document$.subscribe(() => { if (window.MathJax.typesetPromise) MathJax.typesetPromise(); });
