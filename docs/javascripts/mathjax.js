// MathJax 2.7, shipped with the site (assets/mathjax, copied by docs/build.py), for the Markdown
// pages (pymdownx.arithmatex, generic mode: \( \) and \[ \]) and the tutorials' Markdown cells
// rendered by mkdocs-jupyter (raw $ and $$). Everything else, code cells and their outputs
// included, is left alone: tex2jax skips elements of ignoreClass unless a processClass element
// sits inside, so it names the page body's class and re-enables the two kinds of math.
var config = {
  tex2jax: { inlineMath: [["\\(", "\\)"], ["$", "$"]], displayMath: [["\\[", "\\]"], ["$$", "$$"]],
             processEscapes: true, processEnvironments: true,
             ignoreClass: "md-typeset", processClass: "arithmatex|jp-MarkdownOutput" },
  TeX: { extensions: ["AMSmath.js", "AMSsymbols.js"] },
  showMathMenu: false, messageStyle: "none"
};
// A tutorial's page has loaded MathJax already (mkdocs-jupyter's template, in its head):
// configure that one instance. Replacing window.MathJax would make the MathJax.js that
// mkdocs.yml adds start a second instance on the same page, and two instances typesetting
// one page hang Chromium's renderer (seen with Chromium 156). Elsewhere this object is the
// configuration MathJax.js reads when it loads.
if (window.MathJax && window.MathJax.Hub) {
  window.MathJax.Hub.Config(config);
} else {
  window.MathJax = config;
}
