/* Otklik feedback widget: asks the survey's NPS question inline, then its follow-up.
 *
 * <script src="https://HOST/widget.js" data-survey="slug" data-delay="5"
 *         data-trigger="/checkout/done" data-lang="ru" data-days="30" async></script>
 *
 * data-delay: seconds before it appears (default 0); data-trigger: show only on this
 * path (a trailing * matches a prefix); data-lang: ru or en (default: the page's
 * language); data-days: do not show again to this browser for N days (default 30).
 * Plain JS, no dependencies, rendered in a shadow root so the host page's CSS cannot
 * break it. Answers go to /api/v1/public/surveys/{slug}/responses without cookies.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch) return;
  var ds = script.dataset;
  var slug = ds.survey;
  if (!slug) return;
  var base = new URL(script.src, location.href).origin;
  var api = base + "/api/v1/public/surveys/" + encodeURIComponent(slug);
  var storeKey = "otklik-widget:" + slug;
  var days = parseFloat(ds.days || "30");
  var delay = parseFloat(ds.delay || "0");
  var lang = (ds.lang || document.documentElement.lang || navigator.language || "ru")
    .slice(0, 2).toLowerCase();
  if (lang !== "en") lang = "ru";

  function pathMatches() {
    var t = ds.trigger;
    if (!t) return true;
    var p = location.pathname;
    return t.charAt(t.length - 1) === "*" ? p.indexOf(t.slice(0, -1)) === 0 : p === t;
  }

  function recentlyShown() {
    try {
      var at = parseInt(localStorage.getItem(storeKey) || "0", 10);
      return at && Date.now() - at < days * 864e5;
    } catch (e) {
      return false; // storage blocked: show, but nothing remembers it
    }
  }

  function remember() {
    try { localStorage.setItem(storeKey, String(Date.now())); } catch (e) { /* blocked */ }
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs) if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, attrs[k]);
    if (text) node.textContent = text; // never innerHTML: texts come from the survey
    return node;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "omit" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  var CSS =
    ":host{all:initial}" +
    ".w{position:fixed;right:1rem;bottom:1rem;z-index:2147483000;width:min(26rem,calc(100vw - 2rem));" +
    "background:#fff;color:#1b1b1f;border:1px solid #6b6f78;border-radius:.5rem;box-shadow:0 4px 18px rgba(0,0,0,.2);" +
    "padding:1rem;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;box-sizing:border-box}" +
    ".x{position:absolute;top:.25rem;right:.25rem;background:none;border:0;font-size:1.4rem;line-height:1;" +
    "padding:.35rem .6rem;cursor:pointer;color:#1b1b1f;border-radius:.25rem}" +
    "fieldset{border:0;margin:0;padding:0;min-width:0}" +
    "legend,label.t{font-weight:600;padding:0 1.75rem .5rem 0;display:block}" +
    ".sc{display:grid;grid-template-columns:repeat(11,1fr);gap:2px}" +
    ".sc label{position:relative}" +
    ".sc input{position:absolute;opacity:0;width:1px;height:1px}" +
    ".sc span{display:block;text-align:center;padding:.45rem 0;border:1px solid #6b6f78;border-radius:.3rem;cursor:pointer}" +
    ".sc input:checked+span{background:#0a4aa6;border-color:#0a4aa6;color:#fff;font-weight:700}" +
    ".ends{display:flex;justify-content:space-between;color:#4a4d55;font-size:13px;margin:.3rem 0 0}" +
    "textarea{width:100%;box-sizing:border-box;font:inherit;padding:.45rem;border:1px solid #6b6f78;border-radius:.3rem}" +
    ".b{margin-top:.75rem;font:inherit;font-weight:600;padding:.5rem 1.2rem;border-radius:.3rem;" +
    "border:1px solid #0a4aa6;background:#0a4aa6;color:#fff;cursor:pointer}" +
    ".e{color:#a4161a;font-weight:600;min-height:1em;margin:.4rem 0 0}" +
    ".n{color:#4a4d55;font-size:12px;margin:.6rem 0 0}.n a{color:#0a4aa6}" +
    "input:focus-visible+span,button:focus-visible,textarea:focus-visible,a:focus-visible{outline:3px solid #b3261e;outline-offset:2px}";

  function show(cfg) {
    var L = cfg.labels, q = cfg.question, key = newKey(), score = null;
    var host = el("div", { "data-otklik-widget": slug });
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var style = el("style", {}, CSS);
    var box = el("section", { "class": "w", role: "dialog", "aria-modal": "false",
      "aria-labelledby": "otk-q", lang: cfg.lang });
    var close = el("button", { type: "button", "class": "x", "aria-label": L.close }, "\u00d7");
    var body = el("div");
    var err = el("p", { "class": "e", "aria-live": "polite" });
    var notice = el("p", { "class": "n" }, cfg.notice + " ");
    if (cfg.privacy_url) notice.appendChild(el("a", { href: cfg.privacy_url, target: "_blank",
      rel: "noopener noreferrer" }, L.privacy || "Privacy"));
    box.appendChild(close); box.appendChild(body); box.appendChild(err); box.appendChild(notice);
    root.appendChild(style); root.appendChild(box);
    document.body.appendChild(host);
    remember();

    function dismiss() { host.parentNode && host.parentNode.removeChild(host); }
    close.addEventListener("click", dismiss);
    box.addEventListener("keydown", function (e) { if (e.key === "Escape") dismiss(); });

    // Step 1: the NPS scale as radio buttons in a fieldset (arrow keys move between them).
    var fs = el("fieldset");
    fs.appendChild(el("legend", { id: "otk-q" }, q.text));
    var scale = el("div", { "class": "sc" });
    q.points.forEach(function (p) {
      var lab = el("label");
      var input = el("input", { type: "radio", name: "otk-nps", value: String(p) });
      input.addEventListener("change", function () { score = p; err.textContent = ""; });
      lab.appendChild(input); lab.appendChild(el("span", {}, String(p)));
      scale.appendChild(lab);
    });
    fs.appendChild(scale);
    if (q.low_label || q.high_label) {
      var ends = el("p", { "class": "ends", "aria-hidden": "true" });
      ends.appendChild(el("span", {}, q.low_label)); ends.appendChild(el("span", {}, q.high_label));
      fs.appendChild(ends);
    }
    var next = el("button", { type: "button", "class": "b" }, L.next);
    body.appendChild(fs); body.appendChild(next);

    next.addEventListener("click", function () {
      if (score === null) { err.textContent = L.choose; return; }
      next.disabled = true;
      getJSON(api + "/widget?lang=" + cfg.lang + "&nps=" + score).then(function (c2) {
        if (c2.follow_up) askFollowUp(c2.follow_up); else send({});
      }, function () { next.disabled = false; err.textContent = L.error; });
    });

    // Step 2: the follow-up open question the survey asks for this score.
    function askFollowUp(f) {
      body.textContent = "";
      var label = el("label", { "class": "t", "for": "otk-f", id: "otk-q" }, f.text);
      var area = el("textarea", { id: "otk-f", rows: "3", maxlength: String(f.max_length || 2000) });
      var sendBtn = el("button", { type: "button", "class": "b" }, L.send);
      body.appendChild(label); body.appendChild(area); body.appendChild(sendBtn);
      area.focus();
      sendBtn.addEventListener("click", function () {
        var extra = {};
        if (area.value.trim()) extra[f.id] = area.value;
        sendBtn.disabled = true;
        send(extra, function () { sendBtn.disabled = false; });
      });
    }

    function send(extra, onFail) {
      var answers = {};
      answers[q.id] = score;
      for (var k in extra) answers[k] = extra[k];
      fetch(api + "/responses", {
        method: "POST",
        credentials: "omit",
        headers: { "Content-Type": "application/json", "Idempotency-Key": key },
        body: JSON.stringify({ answers: answers, lang: cfg.lang, page: location.pathname })
      }).then(function (r) {
        return r.json().then(function (j) { if (!r.ok) throw new Error(r.status); return j; });
      }).then(function (j) {
        body.textContent = "";
        err.textContent = "";
        var thanks = el("p", { role: "status", tabindex: "-1", id: "otk-q" }, j.thank_you);
        body.appendChild(thanks);
        thanks.focus();
        setTimeout(dismiss, 8000);
      }, function () {
        err.textContent = L.error; // the same key is reused on retry: never stored twice
        if (onFail) onFail(); else next.disabled = false;
      });
    }
  }

  function start() {
    if (!pathMatches() || recentlyShown()) return;
    setTimeout(function () {
      getJSON(api + "/widget?lang=" + lang).then(show, function () { /* closed or unknown */ });
    }, Math.max(0, delay) * 1000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
