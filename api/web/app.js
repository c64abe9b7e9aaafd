// Minimal search page. Snippets arrive HTML-escaped by the server with only
// <mark> tags added; everything else is set as text.
(function () {
  const form = document.getElementById("search");
  const q = document.getElementById("q");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const token = document.getElementById("token");
  token.value = localStorage.getItem("xuncha.token") || "";
  token.addEventListener("change", () => localStorage.setItem("xuncha.token", token.value.trim()));

  async function run(query) {
    status.textContent = "搜索中…";
    results.replaceChildren();
    const headers = token.value.trim() ? { Authorization: "Bearer " + token.value.trim() } : {};
    const res = await fetch("/api/v1/search?q=" + encodeURIComponent(query) + "&size=20", { headers });
    const body = await res.json();
    if (!res.ok) {
      status.textContent = body.error ? body.error.message : "出错了";
      if (res.status === 401) document.getElementById("tokenbox").open = true;
      return;
    }
    status.textContent = "共 " + body.total + " 条结果（" + body.took_ms + " 毫秒）";
    for (const h of body.hits) {
      const li = document.createElement("li");
      const title = document.createElement("strong");
      title.textContent = h.title;
      const meta = document.createElement("div");
      meta.className = "meta";
      meta.textContent = [h.kind_label, h.unit, h.date, (h.path || []).join(" › ")].filter(Boolean).join(" · ");
      const snippet = document.createElement("div");
      snippet.innerHTML = h.snippet; // escaped by the server
      li.append(title, meta, snippet);
      results.append(li);
    }
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const params = new URLSearchParams({ q: q.value });
    history.pushState(null, "", "/?" + params);
    run(q.value);
  });
  const initial = new URLSearchParams(location.search).get("q");
  if (initial) { q.value = initial; run(initial); }
})();
