// 巡察知识库 web page: one script, no framework, no build step.
//
// Safety rule: nothing from the server is ever parsed as HTML. Elements are
// made with createElement and filled with textContent; the server's
// snippets (escaped text with <mark> tags) are split into text runs and
// <mark> elements by snippetNodes, never handed to the HTML parser. Links are
// built only from our own paths with encoded parameters.
"use strict";
(function () {
  const API = "/api/v1";
  const PAGE = 20;

  // Facets: API name, label, and the search-box field that filters by it.
  const FACETS = [
    { name: "unit", label: "单位", field: "单位" },
    { name: "kind", label: "类型", field: "类型" },
    { name: "focus", label: "四个聚焦", field: "聚焦" },
    { name: "problem", label: "问题类别", field: "类别" },
    { name: "year", label: "年份", field: "年份" },
    { name: "round", label: "轮次", field: "轮次" },
    { name: "status", label: "整改状态", field: "状态" },
  ];
  const KIND = { finding: "问题", notice: "通报", regulation: "法规", speech: "讲话", report: "报告", other: "其他" };
  const STATUSES = ["未整改", "整改中", "已整改", "长期坚持"];

  // ---------- DOM helpers ----------

  function el(tag, props, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of kids.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : String(c));
    }
    return e;
  }

  // fill replaces node's children with kids, skipping the absent ones (a
  // view part that has nothing to show returns null).
  function fill(node, ...kids) {
    node.replaceChildren(...kids.flat(Infinity).filter((k) => k !== null && k !== undefined && k !== false));
  }

  // href builds an internal link: a fixed path and encoded parameters.
  function href(path, params, hash) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) {
      if (v !== undefined && v !== null && v !== "") p.set(k, v);
    }
    const s = p.toString();
    return path + (s ? "?" + s : "") + (hash ? "#" + hash : "");
  }

  function link(text, path, params, hash, props) {
    return el("a", Object.assign({ href: href(path, params, hash), "data-internal": "" }, props || {}), text);
  }

  // snippetNodes turns a server snippet (HTML-escaped text with <mark>…</mark>)
  // into text nodes and <mark> elements. Any other markup stays text.
  function snippetNodes(s) {
    const out = [];
    const parts = String(s).split(/(<mark>|<\/mark>)/);
    let marked = false;
    for (const part of parts) {
      if (part === "<mark>") { marked = true; continue; }
      if (part === "</mark>") { marked = false; continue; }
      if (!part) continue;
      const text = unescapeHTML(part);
      out.push(marked ? el("mark", null, text) : document.createTextNode(text));
    }
    return out;
  }

  function unescapeHTML(s) {
    const map = { "&lt;": "<", "&gt;": ">", "&#34;": '"', "&#39;": "'", "&quot;": '"', "&amp;": "&" };
    return s.replace(/&(lt|gt|#34|#39|quot|amp);/g, (m) => map[m]);
  }

  // markTerms returns text as nodes with every occurrence of the terms
  // marked (case-insensitive, longest first).
  function markTerms(text, terms) {
    const ranges = [];
    const low = text.toLowerCase();
    for (const t of terms) {
      const tl = t.toLowerCase();
      if (!tl) continue;
      for (let i = low.indexOf(tl); i >= 0; i = low.indexOf(tl, i + tl.length)) ranges.push([i, i + tl.length]);
    }
    ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const out = [];
    let pos = 0;
    for (const [s, e] of ranges) {
      if (s < pos) continue;
      if (s > pos) out.push(document.createTextNode(text.slice(pos, s)));
      out.push(el("mark", null, text.slice(s, e)));
      pos = e;
    }
    if (pos < text.length) out.push(document.createTextNode(text.slice(pos)));
    return out;
  }

  // markRanges marks [start, end) character ranges (code points) of text.
  function markRanges(text, ranges, cls) {
    const chars = Array.from(text);
    const out = [];
    let pos = 0;
    for (const r of ranges.slice().sort((a, b) => a.start - b.start)) {
      if (r.start < pos) continue;
      if (r.start > pos) out.push(chars.slice(pos, r.start).join(""));
      out.push(el("mark", cls ? { class: cls } : null, chars.slice(r.start, r.end).join("")));
      pos = r.end;
    }
    if (pos < chars.length) out.push(chars.slice(pos).join(""));
    return out;
  }

  // queryTerms picks the words and phrases of a search-box query (no
  // filters, exclusions or operators) for marking in a document.
  function queryTerms(q) {
    const terms = [];
    const re = /"([^"]+)"|“([^”]+)”|(\S+)/g;
    let m;
    while ((m = re.exec(q || "")) !== null) {
      const t = m[1] || m[2] || m[3];
      if (m[3] && (t.startsWith("-") || t === "OR" || t.includes(":") || t.includes("："))) continue;
      const w = t.replace(/[()*]/g, "");
      if (w) terms.push(w);
    }
    return terms;
  }

  function toast(msg) {
    const t = document.getElementById("toast");
    t.textContent = msg;
    t.classList.add("show");
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => t.classList.remove("show"), 2500);
  }

  // ---------- API ----------

  const tokenInput = () => document.getElementById("token");
  function token() { return (localStorage.getItem("xuncha.token") || "").trim(); }

  class APIError extends Error {
    constructor(status, code, message) { super(message); this.status = status; this.code = code; }
  }

  async function api(path, opts) {
    opts = opts || {};
    const headers = Object.assign({}, opts.headers || {});
    if (token()) headers.Authorization = "Bearer " + token();
    let res;
    try {
      res = await fetch(API + path, { method: opts.method || "GET", headers, body: opts.body, signal: opts.signal });
    } catch (e) {
      if (e.name === "AbortError") throw e;
      throw new APIError(0, "network", e.message);
    }
    if (opts.blob && res.ok) return res.blob();
    let body = null;
    try { body = await res.json(); } catch (e) {
      if (e.name === "AbortError") throw e;
      body = null;
    }
    if (opts.signal && opts.signal.aborted) throw new DOMException("a newer view replaced this one", "AbortError");
    if (res.ok && body === null) throw new APIError(res.status, "internal", "服务返回的内容无法读取");
    if (!res.ok) {
      const err = body && body.error ? body.error : { code: "http_" + res.status, message: "请求失败（" + res.status + "）" };
      if (res.status === 401) showTokenPanel("需要有效的访问令牌：" + err.message);
      throw new APIError(res.status, err.code, err.message);
    }
    return body;
  }

  function postJSON(path, data) {
    return api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data) });
  }

  // ERRORS names each API error code in the page's language; the server's
  // own message follows as the detail.
  const ERRORS = {
    invalid_query: "检索式有误", invalid_request: "请求有误", unauthorized: "需要访问令牌", invalid_token: "访问令牌无效",
    token_revoked: "访问令牌已被吊销", forbidden: "权限不足", rate_limited: "请求过于频繁，请稍后再试", not_found: "没有找到",
    too_large: "内容过大", network: "无法连接服务", internal: "服务出错",
  };

  function errorBox(err) {
    const msg = err instanceof APIError ? (ERRORS[err.code] ? ERRORS[err.code] + "：" : "") + err.message : String(err && err.message ? err.message : err);
    return el("p", { class: "error", role: "alert" }, msg);
  }

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      const ta = el("textarea", { class: "offscreen", "aria-hidden": "true" });
      ta.value = text;
      document.body.append(ta);
      ta.select();
      const ok = document.execCommand("copy");
      ta.remove();
      if (!ok) throw new Error("浏览器不允许写入剪贴板");
    }
  }

  async function copyCitation(paragraphID) {
    try {
      const p = await api("/paragraphs/" + encodeURIComponent(paragraphID));
      await copyText(p.citation.gbt7714);
      toast("已复制引用：" + p.citation.gbt7714);
    } catch (e) {
      toast("复制失败：" + e.message);
    }
  }

  // ---------- token panel ----------

  function showTokenPanel(message) {
    const panel = document.getElementById("token-panel");
    panel.hidden = false;
    document.getElementById("token-toggle").setAttribute("aria-expanded", "true");
    if (message) {
      let p = panel.querySelector(".error");
      if (!p) { p = el("p", { class: "error", role: "alert" }); panel.append(p); }
      p.textContent = message;
    }
    tokenInput().focus();
  }

  function setupToken() {
    const toggle = document.getElementById("token-toggle");
    const panel = document.getElementById("token-panel");
    tokenInput().value = token();
    toggle.addEventListener("click", () => {
      panel.hidden = !panel.hidden;
      toggle.setAttribute("aria-expanded", String(!panel.hidden));
      if (!panel.hidden) tokenInput().focus();
    });
    document.getElementById("token-form").addEventListener("submit", (e) => {
      e.preventDefault();
      localStorage.setItem("xuncha.token", tokenInput().value.trim());
      panel.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      const err = panel.querySelector(".error");
      if (err) err.remove();
      toast("令牌已保存");
      render();
    });
    document.getElementById("token-clear").addEventListener("click", () => {
      localStorage.removeItem("xuncha.token");
      tokenInput().value = "";
      toast("令牌已清除");
    });
  }

  // ---------- routing ----------

  function go(url) {
    history.pushState(null, "", url);
    render();
  }

  document.addEventListener("click", (e) => {
    const a = e.target.closest && e.target.closest("a[data-internal], nav a");
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const url = new URL(a.href);
    if (url.origin !== location.origin) return;
    if (url.pathname === location.pathname && url.search === location.search && url.hash) return; // in-page anchor
    e.preventDefault();
    go(url.pathname + url.search + url.hash);
  });
  window.addEventListener("popstate", () => render());

  let current = null; // AbortController of the view being rendered

  function render() {
    if (current) current.abort();
    current = new AbortController();
    const signal = current.signal;
    const path = location.pathname;
    const params = new URLSearchParams(location.search);
    let view = "search";
    if (path.startsWith("/d/")) view = "document";
    else if (path.startsWith("/f/")) view = "finding";
    else if (path === "/ledger") view = "ledger";
    else if (path === "/profile") view = "profile";
    else if (path === "/quote") view = "quote";
    for (const a of document.querySelectorAll("nav a[data-nav]")) {
      const on = a.dataset.nav === view || (view === "document" && a.dataset.nav === "search") || (view === "finding" && a.dataset.nav === "ledger");
      if (on) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    }
    const main = document.getElementById("view");
    const id = decodeURIComponent(path.split("/")[2] || "");
    const views = { search: searchView, document: documentView, finding: findingView, ledger: ledgerView, profile: profileView, quote: quoteView };
    views[view](main, params, signal, id).catch((e) => {
      if (e.name === "AbortError" || signal.aborted) return; // a newer view has the page
      fill(main, errorBox(e));
    });
  }

  // ---------- search ----------

  function composeQuery(params) {
    const parts = [params.get("q") || ""];
    for (const f of FACETS) {
      const v = params.get(f.name);
      if (v) parts.push(f.field + ':"' + v.replace(/"/g, "") + '"');
    }
    return parts.join(" ").trim();
  }

  function searchForm(params, onSubmit) {
    const q = el("input", {
      id: "q", name: "q", type: "search", autocomplete: "off", spellcheck: "false", maxlength: "256",
      role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": "suggestions",
      placeholder: "例如：形式主义  \"指尖上的形式主义\"  单位:区委办公室",
    });
    q.value = params.get("q") || "";
    const list = el("ul", { id: "suggestions", role: "listbox", class: "suggestions", hidden: true, "aria-label": "搜索建议" });
    const sort = el("select", { id: "sort", name: "sort" },
      el("option", { value: "" }, "按相关度"), el("option", { value: "newest" }, "最新在前"), el("option", { value: "oldest" }, "最早在前"));
    sort.value = ["newest", "oldest"].includes(params.get("sort")) ? params.get("sort") : "";
    const form = el("form", { role: "search", class: "searchbar", "aria-label": "检索" },
      el("label", { for: "q", class: "sr-only" }, "检索词"),
      el("div", { class: "combo" }, q, list),
      el("label", { for: "sort", class: "sr-only" }, "排序"),
      sort,
      el("button", { type: "submit" }, "搜索"));
    form.addEventListener("submit", (e) => { e.preventDefault(); closeSuggestions(); onSubmit(q.value.trim(), sort.value); });
    sort.addEventListener("change", () => onSubmit(q.value.trim(), sort.value));
    attachSuggestions(q, list, () => form.requestSubmit());
    return form;
  }

  let closeSuggestions = () => {};

  // attachSuggestions wires prefix completion to the box: debounced fetches,
  // arrow keys move through the list, Enter picks, Escape closes.
  function attachSuggestions(input, list, submit) {
    let timer = null, active = -1, items = [], ctrl = null;
    const close = () => {
      list.hidden = true; fill(list); items = []; active = -1;
      input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
    };
    closeSuggestions = close;
    const highlight = (i) => {
      active = i;
      items.forEach((li, j) => li.setAttribute("aria-selected", String(j === i)));
      if (i >= 0) input.setAttribute("aria-activedescendant", items[i].id); else input.removeAttribute("aria-activedescendant");
    };
    const pick = (text) => { input.value = text; close(); submit(); };
    const lastWord = () => {
      const v = input.value;
      const i = v.lastIndexOf(" ");
      return { head: v.slice(0, i + 1), word: v.slice(i + 1) };
    };
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const { head, word } = lastWord();
      if (!word || word.includes(":") || word.startsWith("-")) { close(); return; }
      timer = setTimeout(async () => {
        if (ctrl) ctrl.abort();
        ctrl = new AbortController();
        let res;
        try { res = await api("/suggest?n=8&prefix=" + encodeURIComponent(word), { signal: ctrl.signal }); } catch (e) { return; }
        if (lastWord().word !== word) return;
        fill(list);
        items = res.suggestions.map((s, i) => {
          const li = el("li", { id: "sugg-" + i, role: "option", "aria-selected": "false", class: "suggestion" },
            el("span", null, s.text), el("span", { class: "src" }, sourceLabel(s.source)));
          li.addEventListener("mousedown", (e) => { e.preventDefault(); pick(head + s.text); });
          return li;
        });
        if (!items.length) { close(); return; }
        list.append(...items);
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        highlight(-1);
      }, 150);
    });
    input.addEventListener("keydown", (e) => {
      if (list.hidden || !items.length) return;
      if (e.key === "ArrowDown") { e.preventDefault(); highlight((active + 1) % items.length); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight((active - 1 + items.length) % items.length); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); pick(lastWord().head + items[active].firstChild.textContent); }
      else if (e.key === "Escape") { e.preventDefault(); close(); }
    });
    input.addEventListener("blur", () => setTimeout(close, 100));
  }

  function sourceLabel(s) {
    return { title: "标题", unit: "单位", problem: "问题类别", lexicon: "词库", word: "常用词" }[s] || s;
  }

  function hitMeta(h) {
    const parts = [KIND[h.kind] || h.kind_label, h.unit, h.round, h.status, h.date, h.issuer && h.kind !== "finding" ? h.issuer : "", (h.path || []).join(" › ")];
    const meta = el("div", { class: "meta" }, parts.filter(Boolean).join(" · "));
    if (h.sample) meta.append(" ", el("span", { class: "badge" }, "示例数据"));
    return meta;
  }

  function hitLink(h, q) {
    if (h.kind === "finding") return link(h.title, "/f/" + encodeURIComponent(h.id), null, null, { class: "hit-title" });
    return link(h.title, "/d/" + encodeURIComponent(h.document_id), { q }, h.n ? "p" + h.n : "", { class: "hit-title" });
  }

  function hitItem(h, q) {
    return el("li", { class: "hit" },
      el("h3", null, hitLink(h, q)),
      hitMeta(h),
      el("p", { class: "snippet" }, snippetNodes(h.snippet)));
  }

  async function searchView(main, params, signal) {
    const q = params.get("q") || "";
    const tab = params.get("view") === "units" ? "units" : "list";
    const submit = (nq, sort) => {
      const p = new URLSearchParams(location.search);
      p.set("q", nq); p.delete("page");
      if (sort) p.set("sort", sort); else p.delete("sort");
      go("/?" + p);
    };
    const status = el("p", { class: "status", "aria-live": "polite" });
    const results = el("div", { class: "results" });
    fill(main,
      el("h1", { class: "sr-only" }, "检索"),
      searchForm(params, submit),
      el("details", { class: "help" }, el("summary", null, "检索语法"),
        el("ul", null,
          el("li", null, "空格分隔的词同时出现；", el("code", null, "A OR B"), " 任一出现；", el("code", null, "-词"), " 排除"),
          el("li", null, el("code", null, '"…"'), " 或 ", el("code", null, "“…”"), " 精确短语；", el("code", null, "监督*"), " 前缀（至少两个字）"),
          el("li", null, "字段：", el("code", null, "单位:息县 类别:形式主义 类型:讲话 年份:2023 轮次:第十轮 状态:已整改 日期:2023-01-01..2023-12-31 现行:2024-01-01")))),
      filterChips(params),
      tabs(params, tab),
      status, results);
    if (!q && !FACETS.some((f) => params.get(f.name))) {
      status.textContent = "输入检索词开始。可检索巡察问题、整改台账、法规、讲话、工作报告和通报。";
      results.append(await overview(signal));
      return;
    }
    const query = composeQuery(params);
    if (tab === "units") return unitsChart(query, params, status, results, signal);
    const page = Math.max(1, Math.min(50, parseInt(params.get("page") || "1", 10) || 1));
    status.textContent = "检索中…";
    const sort = ["newest", "oldest"].includes(params.get("sort")) ? "&sort=" + params.get("sort") : "";
    let res;
    try {
      res = await api("/search?facets=1&size=" + PAGE + "&from=" + (page - 1) * PAGE + sort + "&q=" + encodeURIComponent(query), { signal });
    } catch (e) {
      if (e.name === "AbortError") throw e;
      status.textContent = "";
      fill(results, errorBox(e));
      return;
    }
    status.textContent = res.total ? "共 " + res.total + " 条结果（" + res.took_ms.toFixed(1) + " 毫秒）" : "没有找到结果。试试更短的词，或去掉筛选。";
    const list = el("ol", { class: "hits", start: (page - 1) * PAGE + 1 }, res.hits.map((h) => hitItem(h, q)));
    fill(results,
      el("div", { class: "with-sidebar" },
        facetSidebar(res.facets || {}, params),
        el("section", { class: "hit-list", "aria-label": "检索结果" }, list, pager(res.total, page, params))));
  }

  async function overview(signal) {
    const box = el("section", { class: "overview", "aria-label": "知识库概况" });
    try {
      const s = await api("/stats", { signal });
      const dl = el("dl", { class: "stats" });
      for (const [k, label] of [["documents", "文档"], ["passages", "段落"], ["findings", "巡察问题"]]) {
        if (s[k] !== undefined) dl.append(el("div", null, el("dt", null, label), el("dd", null, String(s[k]))));
      }
      box.append(dl);
    } catch (e) {
      if (e.name === "AbortError") throw e;
      box.append(errorBox(e));
    }
    box.append(el("p", null, "示例：",
      ["形式主义", "\"指尖上的形式主义\"", "违规吃喝 年份:2023", "四风", "巡察整改"].map((x) => [link(x, "/", { q: x }), " "])));
    return box;
  }

  function tabs(params, tab) {
    const p = new URLSearchParams(params);
    p.delete("page");
    p.delete("view");
    const list = "/?" + p;
    p.set("view", "units");
    const units = "/?" + p;
    return el("nav", { class: "tabs", "aria-label": "结果视图" },
      el("a", { href: list, "data-internal": "", "aria-current": tab === "list" ? "page" : null }, "结果列表"),
      el("a", { href: units, "data-internal": "", "aria-current": tab === "units" ? "page" : null }, "按单位统计"));
  }

  function filterChips(params) {
    const chips = [];
    for (const f of FACETS) {
      const v = params.get(f.name);
      if (!v) continue;
      const p = new URLSearchParams(params);
      p.delete(f.name); p.delete("page");
      chips.push(el("a", { class: "chip", href: "/?" + p, "data-internal": "", "aria-label": "去掉筛选 " + f.label + "：" + displayValue(f.name, v) },
        f.label + "：" + displayValue(f.name, v), el("span", { "aria-hidden": "true" }, " ×")));
    }
    return chips.length ? el("div", { class: "chips", "aria-label": "当前筛选" }, chips) : null;
  }

  function displayValue(facet, v) { return facet === "kind" ? (KIND[v] || v) : v; }

  function facetSidebar(facets, params) {
    const aside = el("aside", { class: "facets", "aria-label": "筛选" });
    const box = el("details", { class: "facet-box", open: window.matchMedia("(min-width: 48rem)").matches }, el("summary", null, "筛选"));
    for (const f of FACETS) {
      const vals = facets[f.name];
      if (!vals || !vals.length) continue;
      const ul = el("ul");
      for (const v of vals.slice(0, 10)) {
        const p = new URLSearchParams(params);
        const on = params.get(f.name) === v.value;
        if (on) p.delete(f.name); else p.set(f.name, v.value);
        p.delete("page");
        ul.append(el("li", null, el("a", { href: "/?" + p, "data-internal": "", "data-facet": f.name, "aria-pressed": String(on), class: on ? "on" : null },
          el("span", { class: "v" }, displayValue(f.name, v.value)), el("span", { class: "n" }, String(v.count)))));
      }
      box.append(el("section", { class: "facet" }, el("h2", null, f.label), ul));
    }
    aside.append(box);
    return aside;
  }

  function pager(total, page, params) {
    const pages = Math.min(50, Math.ceil(total / PAGE));
    if (pages <= 1) return null;
    const nav = el("nav", { class: "pager", "aria-label": "分页" });
    const to = (n) => { const p = new URLSearchParams(params); p.set("page", n); return "/?" + p; };
    if (page > 1) nav.append(el("a", { href: to(page - 1), "data-internal": "", rel: "prev" }, "上一页"));
    const lo = Math.max(1, page - 4), hi = Math.min(pages, lo + 8);
    for (let n = lo; n <= hi; n++) {
      nav.append(el("a", { href: to(n), "data-internal": "", "aria-current": n === page ? "page" : null, "aria-label": "第 " + n + " 页" }, String(n)));
    }
    if (page < pages) nav.append(el("a", { href: to(page + 1), "data-internal": "", rel: "next" }, "下一页"));
    return nav;
  }

  // unitsChart draws the counts per unit and per round of the current query;
  // each bar opens that unit's (or round's) hits.
  async function unitsChart(query, params, status, results, signal) {
    status.textContent = "统计中…";
    const get = (field) => api("/search?group_by=" + field + "&group_size=1&size=30&q=" + encodeURIComponent(query), { signal });
    const [byUnit, byRound] = await Promise.all([get("unit"), get("round")]);
    const groups = byUnit.groups || [];
    status.textContent = groups.length ? "“" + query + "”共 " + byUnit.total + " 条结果，涉及 " + groups.length + " 个单位" : "没有按单位归类的结果（通报案例和巡察问题带单位）。";
    fill(results,
      barChart("按单位", "units-chart", groups, "unit", params),
      barChart("按轮次", "rounds-chart", byRound.groups || [], "round", params));
  }

  function barChart(title, id, groups, facet, params) {
    if (!groups.length) return null;
    const max = Math.max(...groups.map((g) => g.count));
    const ol = el("ol", { class: "bars" });
    for (const g of groups) {
      const p = new URLSearchParams(params);
      p.set(facet, g.value); p.delete("view"); p.delete("page");
      const bar = el("span", { class: "bar", "aria-hidden": "true" });
      bar.style.width = Math.max(2, Math.round((g.count / max) * 100)) + "%";
      const row = el("li", null,
        el("a", { href: "/?" + p, "data-internal": "", class: "bar-row", "data-value": g.value },
          el("span", { class: "bar-label" }, g.value),
          el("span", { class: "bar-track" }, bar),
          el("span", { class: "bar-count" }, g.count + " 条")));
      if (facet === "unit") row.append(link("画像", "/profile", { unit: g.value }, null, { class: "bar-extra", "aria-label": g.value + " 的单位画像" }));
      ol.append(row);
    }
    return el("section", { class: "chart", id }, el("h2", null, title), ol);
  }

  // ---------- document ----------

  async function documentView(main, params, signal, id) {
    fill(main, el("p", { class: "status" }, "载入文档…"));
    const d = await api("/documents/" + encodeURIComponent(id), { signal });
    const q = params.get("q") || "";
    const terms = queryTerms(q);
    const meta = [KIND[d.kind] || d.kind, d.issuer, d.date ? d.date.slice(0, 10) : "", d.edition ? d.edition + "年版" : "",
      d.source && d.source.file_name ? "来源文件：" + d.source.file_name : ""].filter(Boolean).join(" · ");
    const outline = el("ol", { class: "outline" });
    const body = el("div", { class: "doc-body" });
    let lastPath = [];
    let count = 0;
    for (const s of d.sections || []) {
      const path = s.path || [];
      let common = 0;
      while (common < path.length && common < lastPath.length && path[common] === lastPath[common]) common++;
      for (let depth = common; depth < path.length; depth++) {
        const first = s.paragraphs && s.paragraphs[0];
        const anchor = first ? "p" + first.n : "";
        const hd = el(depth === 0 ? "h2" : "h3", { class: "doc-heading", id: anchor && depth === path.length - 1 ? "h-" + anchor : null }, path[depth]);
        body.append(hd);
        outline.append(el("li", { class: "depth-" + Math.min(depth, 3) }, el("a", { href: "#" + anchor }, path[depth])));
      }
      lastPath = path;
      for (const p of s.paragraphs || []) {
        count++;
        body.append(el("div", { class: "para", id: "p" + p.n },
          el("a", { class: "pn", href: "#p" + p.n, "aria-label": "第 " + p.n + " 段的链接" }, String(p.n)),
          el("p", null, terms.length ? markTerms(p.text, terms) : p.text),
          el("button", { type: "button", class: "cite quiet", "data-paragraph": p.id, "aria-label": "复制第 " + p.n + " 段的 GB/T 7714 引用", onclick: () => copyCitation(p.id) }, "复制引用")));
      }
    }
    const back = q ? link("← 返回检索结果", "/", { q }) : link("← 检索", "/");
    fill(main,
      el("article", { class: "document" },
        el("p", null, back),
        el("h1", null, d.title),
        el("p", { class: "meta" }, meta),
        d.tags && d.tags.length ? el("p", { class: "tags" }, d.tags.map((t) => el("span", { class: "badge" }, t))) : null,
        el("div", { class: "with-sidebar doc" },
          outline.childElementCount ? el("nav", { class: "toc", "aria-label": "目录" }, el("h2", null, "目录"), outline) : null,
          el("section", { "aria-label": "正文（" + count + " 段）" }, body))));
    document.title = d.title + " · 巡察知识库";
    if (location.hash) {
      const target = document.getElementById(location.hash.slice(1));
      if (target) {
        target.classList.add("target");
        target.scrollIntoView({ block: "center" });
      }
    } else {
      main.focus({ preventScroll: true });
    }
  }

  // ---------- finding ----------

  function dateOf(t) { return t ? String(t).slice(0, 10) : ""; }

  async function findingView(main, params, signal, id) {
    fill(main, el("p", { class: "status" }, "载入…"));
    const [f, sim] = await Promise.all([
      api("/findings/" + encodeURIComponent(id), { signal }),
      api("/findings/" + encodeURIComponent(id) + "/similar?size=5", { signal }).catch((e) => ({ hits: [], error: e })),
    ]);
    const r = f.rectification || {};
    const rows = [
      ["单位", f.unit ? link(f.unit, "/profile", { unit: f.unit }) : ""], ["轮次", f.round], ["巡察组", f.group],
      ["四个聚焦", f.focus], ["问题类别", (f.problems || []).join("、")], ["发现日期", dateOf(f.date)],
      ["具体事实", f.facts], ["处理", f.disposition], ["当事人", [f.person, f.post].filter(Boolean).join("，")],
      ["整改状态", r.status], ["整改措施", r.measures], ["责任人", r.responsible], ["整改期限", dateOf(r.deadline)], ["完成日期", dateOf(r.completed_at)],
    ];
    const dl = el("dl", { class: "fields" });
    for (const [k, v] of rows) if (v) dl.append(el("div", null, el("dt", null, k), el("dd", null, v)));
    const history = el("table", { class: "history" },
      el("caption", null, "修改记录"),
      el("thead", null, el("tr", null, ["时间", "操作人", "操作", "说明", "变更"].map((x) => el("th", { scope: "col" }, x)))),
      el("tbody", null, (f.history || []).map((h) => el("tr", null,
        el("td", null, String(h.at).replace("T", " ").slice(0, 19)), el("td", null, h.who || ""), el("td", null, h.op === "delete" ? "删除" : "写入"),
        el("td", null, h.note || ""),
        el("td", null, (h.changes || []).map((c) => el("div", null, c.field + "：" + (c.before || "（空）") + " → " + (c.after || "（空）"))))))));
    const form = rectificationForm(f);
    fill(main,
      el("article", { class: "finding" },
        el("p", null, link("← 整改台账", "/ledger", f.round ? { round: f.round } : null)),
        el("h1", null, f.description),
        f.sample ? el("p", null, el("span", { class: "badge" }, "示例数据")) : null,
        dl, form, history,
        el("section", { class: "similar" }, el("h2", null, "相似的问题和案例"),
          sim.error ? errorBox(sim.error) : null,
          sim.key_terms && sim.key_terms.length ? el("p", { class: "meta" }, "关键词：" + sim.key_terms.join("、")) : null,
          el("ol", { class: "hits" }, (sim.hits || []).map((h) => hitItem(h, ""))))));
    document.title = "问题 · 巡察知识库";
  }

  function rectificationForm(f) {
    const r = f.rectification || {};
    const status = el("select", { id: "rect-status", name: "status" }, STATUSES.map((s) => el("option", { value: s }, s)));
    status.value = r.status || "未整改";
    const measures = el("textarea", { id: "rect-measures", name: "measures", rows: "2" });
    measures.value = r.measures || "";
    const note = el("input", { id: "rect-note", name: "note", type: "text", maxlength: "200", placeholder: "例如：已召开专题会议整改" });
    const msg = el("p", { class: "status", "aria-live": "polite" });
    const form = el("form", { class: "rect-form", "aria-labelledby": "rect-title" },
      el("h2", { id: "rect-title" }, "更新整改状态"),
      el("label", { for: "rect-status" }, "整改状态"), status,
      el("label", { for: "rect-measures" }, "整改措施"), measures,
      el("label", { for: "rect-note" }, "说明（记入修改记录）"), note,
      el("button", { type: "submit" }, "保存"), msg);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      msg.textContent = "保存中…";
      try {
        await api("/findings/" + encodeURIComponent(f.id) + "/rectification", {
          method: "PATCH", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ status: status.value, measures: measures.value, responsible: r.responsible || "",
            deadline: dateOf(r.deadline), completed_at: dateOf(r.completed_at), note: note.value }),
        });
        toast("已保存");
        render();
      } catch (err) {
        msg.textContent = err.status === 403 ? "需要编辑权限的令牌才能修改。" : "保存失败：" + err.message;
      }
    });
    return form;
  }

  // ---------- ledger ----------

  async function ledgerView(main, params, signal) {
    const fields = [["unit", "单位"], ["round", "轮次"], ["status", "整改状态"], ["focus", "四个聚焦"], ["problem", "问题类别"]];
    const page = Math.max(1, Math.min(50, parseInt(params.get("page") || "1", 10) || 1));
    const qs = new URLSearchParams({ facets: "1", size: "50", from: String((page - 1) * 50), sort: "newest" });
    for (const [k] of fields) if (params.get(k)) qs.set(k, params.get(k));
    if (params.get("q")) qs.set("q", params.get("q"));
    fill(main, el("h1", null, "整改台账"), el("p", { class: "status" }, "载入…"));
    const [res, all, rep] = await Promise.all([
      api("/findings?" + qs, { signal }),
      api("/findings?facets=1&size=0", { signal }),
      api("/repeated", { signal }).catch(() => ({ repeated: [] })),
    ]);
    const repeated = new Map();
    for (const r of rep.repeated || []) for (const id of r.findings) repeated.set(id, r);

    const form = el("form", { class: "filters", "aria-label": "台账筛选" });
    const q = el("input", { id: "ledger-q", name: "q", type: "search", maxlength: "256", placeholder: "问题描述中的词" });
    q.value = params.get("q") || "";
    form.append(el("div", null, el("label", { for: "ledger-q" }, "关键词"), q));
    for (const [k, label] of fields) {
      const sel = el("select", { id: "ledger-" + k, name: k }, el("option", { value: "" }, "全部"),
        ((all.facets || {})[k] || []).map((v) => el("option", { value: v.value }, v.value + "（" + v.count + "）")));
      sel.value = params.get(k) || "";
      sel.addEventListener("change", () => form.requestSubmit());
      form.append(el("div", null, el("label", { for: "ledger-" + k }, label), sel));
    }
    form.append(el("div", null, el("button", { type: "submit" }, "筛选")));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const p = new URLSearchParams();
      for (const [k, v] of new FormData(form)) if (v) p.set(k, v);
      go("/ledger" + (p.toString() ? "?" + p : ""));
    });

    const round = params.get("round");
    const exp = el("button", { type: "button", id: "export-xlsx", disabled: !round }, "导出整改台账（XLSX）");
    exp.addEventListener("click", async () => {
      try {
        const blob = await api("/rounds/report?format=xlsx&round=" + encodeURIComponent(round), { blob: true });
        const a = el("a", { href: URL.createObjectURL(blob), download: round + "整改台账.xlsx" });
        document.body.append(a); a.click(); a.remove();
        setTimeout(() => URL.revokeObjectURL(a.href), 10000);
        toast("已导出 " + round + "整改台账.xlsx");
      } catch (e) { toast("导出失败：" + e.message); }
    });

    const table = el("table", { class: "ledger" },
      el("caption", null, "共 " + res.total + " 条问题" + (repeated.size ? "；标“屡查屡犯”的问题在两轮以上巡察中重复出现" : "")),
      el("thead", null, el("tr", null, ["单位", "轮次", "问题", "类别", "整改状态", "发现日期"].map((x) => el("th", { scope: "col" }, x)))),
      el("tbody", null, res.hits.map((h) => {
        const rp = repeated.get(h.id);
        return el("tr", { class: rp ? "repeated" : null },
          el("td", null, h.unit ? link(h.unit, "/profile", { unit: h.unit }) : ""),
          el("td", null, h.round || ""),
          el("td", null, link(h.title, "/f/" + encodeURIComponent(h.id)), rp ? [" ", el("span", { class: "badge warn", title: "在 " + rp.rounds.join("、") + " 中重复出现" + (rp.after_rectified ? "，且曾报告已整改" : "") }, "屡查屡犯")] : null, h.sample ? [" ", el("span", { class: "badge" }, "示例")] : null),
          el("td", null, (h.problems || []).join("、")),
          el("td", null, el("span", { class: "st st-" + STATUSES.indexOf(h.status || "") }, h.status || "—")),
          el("td", null, h.date || ""));
      })));
    const pages = Math.min(20, Math.ceil(res.total / 50));
    const pg = el("nav", { class: "pager", "aria-label": "分页" });
    for (let n = 1; pages > 1 && n <= pages; n++) {
      const p = new URLSearchParams(params); p.set("page", n);
      pg.append(el("a", { href: "/ledger?" + p, "data-internal": "", "aria-current": n === page ? "page" : null }, String(n)));
    }
    fill(main, el("h1", null, "整改台账"), form,
      el("p", { class: "actions" }, exp, round ? null : el("span", { class: "meta" }, " 选择一个轮次后可导出该轮的整改台账。")),
      el("div", { class: "table-wrap" }, table), pg);
    document.title = "整改台账 · 巡察知识库";
  }

  // ---------- unit profile ----------

  async function profileView(main, params, signal) {
    const unit = params.get("unit") || "";
    const input = el("input", { id: "unit", name: "unit", type: "search", maxlength: "200", list: "unit-list", placeholder: "例如：区委办公室" });
    input.value = unit;
    const datalist = el("datalist", { id: "unit-list" });
    const form = el("form", { class: "searchbar", role: "search", "aria-label": "单位画像" },
      el("label", { for: "unit", class: "sr-only" }, "单位名称"), input, datalist, el("button", { type: "submit" }, "查看画像"));
    form.addEventListener("submit", (e) => { e.preventDefault(); go(href("/profile", { unit: input.value.trim() })); });
    const out = el("div");
    fill(main, el("h1", null, "单位画像"), form, out);
    document.title = "单位画像 · 巡察知识库";
    api("/findings?facets=1&size=0", { signal }).then((all) => {
      for (const v of (all.facets || {}).unit || []) datalist.append(el("option", { value: v.value }));
    }).catch(() => {});
    if (!unit) { out.append(el("p", { class: "status" }, "输入被巡察单位的名称，查看历轮巡察发现的问题、整改率、屡查屡犯和讲话通报中的提及。")); return; }
    const p = await api("/units/profile?unit=" + encodeURIComponent(unit), { signal });
    const c = p.counts || {};
    const stats = el("dl", { class: "stats" });
    for (const [k, label] of [["found", "发现问题"], ["rectified", "已整改"], ["in_progress", "整改中"], ["not_started", "未整改"], ["ongoing", "长期坚持"], ["overdue", "逾期未改"]]) {
      stats.append(el("div", null, el("dt", null, label), el("dd", null, String(c[k] || 0))));
    }
    stats.append(el("div", null, el("dt", null, "整改率"), el("dd", null, Math.round((p.rectification_rate || 0) * 100) + "%")));
    const counts = (title, m) => {
      const groups = Object.entries(m || {}).sort((a, b) => b[1] - a[1]).map(([value, count]) => ({ value, count }));
      return barChart(title, null, groups, title === "按问题类别" ? "problem" : "focus", new URLSearchParams({ unit }));
    };
    const findingList = (fs) => el("ul", { class: "plain" }, (fs || []).map((f) => el("li", null,
      link(f.description, "/f/" + encodeURIComponent(f.id)), el("span", { class: "meta" }, " " + [f.round, f.rectification && f.rectification.status].filter(Boolean).join(" · ")))));
    fill(out,
      el("h2", null, p.unit),
      el("p", { class: "meta" }, "巡察轮次：" + (p.rounds || []).join("、")),
      stats,
      counts("按四个聚焦", p.by_focus), counts("按问题类别", p.by_problem),
      (p.repeated || []).length ? el("section", null, el("h2", null, "屡查屡犯"),
        el("ul", { class: "plain" }, p.repeated.map((r) => el("li", null, el("span", { class: "badge warn" }, "屡查屡犯"), " " + r.problem + "（" + r.rounds.join("、") + (r.after_rectified ? "；曾报告已整改" : "") + "）")))) : null,
      (p.overdue || []).length ? el("section", null, el("h2", null, "逾期未整改"), findingList(p.overdue)) : null,
      el("section", null, el("h2", null, "发现的问题（" + (p.findings || []).length + "）"), findingList(p.findings)),
      el("section", null, el("h2", null, "讲话、通报中的提及"),
        (p.mentions || []).length ? el("ol", { class: "hits" }, p.mentions.map((h) => hitItem(h, '"' + unit + '"'))) : el("p", { class: "meta" }, "没有提及。")));
  }

  // ---------- quote check ----------

  async function quoteView(main, params) {
    const ta = el("textarea", { id: "quote-text", name: "text", rows: "4", maxlength: "2000", placeholder: "粘贴要核对的引文，例如：巡察是政治巡察，不是业务检查" });
    ta.value = params.get("text") || "";
    const form = el("form", { class: "quote-form", "aria-label": "引文核对" },
      el("label", { for: "quote-text" }, "引文"), ta, el("button", { type: "submit" }, "核对出处"));
    const out = el("div", { class: "quote-results", "aria-live": "polite" });
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const t = ta.value.trim();
      go(href("/quote", { text: t.length <= 600 ? t : "" }));
      if (t.length > 600) runQuote(t, out);
    });
    fill(main, el("h1", null, "引文核对"),
      el("p", { class: "meta" }, "查找引文的原始出处：完全一致的、有出入的（标出差异），并给出可复制的 GB/T 7714 引用。"), form, out);
    document.title = "引文核对 · 巡察知识库";
    if (ta.value.trim()) await runQuote(ta.value.trim(), out);
  }

  async function runQuote(text, out) {
    fill(out, el("p", { class: "status" }, "核对中…"));
    let res;
    try { res = await postJSON("/quote-check", { text, size: 5 }); } catch (e) { fill(out, errorBox(e)); return; }
    if (!res.matches.length) { fill(out, el("p", { class: "status" }, "没有找到出处。")); return; }
    fill(out, el("ol", { class: "hits quotes" }, res.matches.map((m) => {
      const verdict = m.exact ? el("span", { class: "badge ok" }, "原文一致") : el("span", { class: "badge warn" }, "有出入 · 相似度 " + Math.round(m.similarity * 100) + "%");
      const ranges = m.exact ? [m.match] : (m.diffs.length ? m.diffs.filter((d) => d.end > d.start) : [m.match]);
      return el("li", { class: "hit quote" },
        el("h3", null, hitLink(m, "")), hitMeta(m), el("p", null, verdict),
        el("p", { class: "snippet" }, markRanges(m.text, ranges, m.exact ? "" : "diff")),
        m.diffs.length ? el("ul", { class: "diffs" }, m.diffs.map((d) => el("li", null, "引文“" + (d.quote || "（无）") + "”，原文“" + (d.source || "（无）") + "”"))) : null,
        m.citation ? el("p", { class: "citation" }, el("span", null, m.citation.gbt7714), " ",
          el("button", { type: "button", class: "cite quiet", onclick: async () => {
            try { await copyText(m.citation.gbt7714); toast("已复制引用：" + m.citation.gbt7714); } catch (e) { toast("复制失败：" + e.message); }
          } }, "复制引用")) : null);
    })));
  }

  // ---------- start ----------

  function start() {
    setupToken();
    render();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
