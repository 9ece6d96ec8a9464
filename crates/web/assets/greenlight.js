// Greenlight's one script: only what HTML and htmx cannot do alone.
// Every page works without it; it adds dragging posts between days, tabs,
// and anchoring a comment to selected words or a spot on an image.
"use strict";

(function () {
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

  // The script's few words come from the page (`<body data-t-…>`), in the
  // reader's language; `%name%` in them takes a value.
  const say = (key, values = {}) =>
    (document.body.dataset["t" + key[0].toUpperCase() + key.slice(1)] || key).replace(/%(\w+)%/g, (_, name) => values[name] ?? "");

  // Dragging a post card to another day (month, list) or hour (week)
  // reschedules it; the server keeps approvals and answers the calendar.
  function calendar(root) {
    let dragged = null;
    // A card's link (and its "Move…" link) is the post's page; moving it
    // posts to that page's reschedule address.
    const reschedule = (link) => new URL(link.href).pathname + "/reschedule" + window.location.search;
    root.addEventListener("dragstart", (e) => {
      const card = e.target.closest("[data-post]");
      if (!card) return;
      dragged = card;
      card.classList.add("dragging");
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", card.dataset.post);
    });
    root.addEventListener("dragend", () => {
      dragged?.classList.remove("dragging");
      dragged = null;
      root.querySelectorAll(".drop-target").forEach((t) => t.classList.remove("drop-target"));
    });
    root.addEventListener("dragover", (e) => {
      const target = e.target.closest("[data-drop-date]");
      if (!target || !dragged) return;
      e.preventDefault();
      root.querySelectorAll(".drop-target").forEach((t) => t !== target && t.classList.remove("drop-target"));
      target.classList.add("drop-target");
    });
    // On a touch screen, "Move…" opens a sheet to pick the day and hour.
    root.addEventListener("click", (e) => {
      const link = e.target.closest("[data-move]");
      const sheet = document.getElementById("move-sheet");
      if (!link || !sheet) return;
      e.preventDefault();
      sheet.querySelector("#move-date").value = link.dataset.date;
      sheet.querySelector("#move-hour").value = link.dataset.hour;
      sheet.onclose = () => {
        if (sheet.returnValue !== "move") return;
        const values = { date: sheet.querySelector("#move-date").value, hour: sheet.querySelector("#move-hour").value, version: link.dataset.version };
        window.htmx.ajax("POST", reschedule(link), { target: "#calendar", swap: "outerHTML", values, headers: { "X-CSRF-Token": csrf() } });
      };
      sheet.returnValue = "";
      sheet.showModal();
    });
    root.addEventListener("drop", (e) => {
      const target = e.target.closest("[data-drop-date]");
      if (!target || !dragged) return;
      e.preventDefault();
      const values = { date: target.dataset.dropDate, version: dragged.dataset.version };
      if (target.dataset.dropHour) values.hour = target.dataset.dropHour;
      window.htmx.ajax("POST", reschedule(dragged), { target: "#calendar", swap: "outerHTML", values, headers: { "X-CSRF-Token": csrf() } });
    });
  }

  // The channel last chosen in each remembered tab list: the live preview
  // is redrawn as one types, and must stay on the network being looked at.
  const remembered = {};

  // ARIA tabs: the composer's channel variants, the preview's networks.
  // Choosing a channel's text shows that channel's preview too.
  function tabs(list) {
    const all = Array.from(list.querySelectorAll('[role="tab"]'));
    const show = (tab, follow) => {
      all.forEach((t) => {
        const on = t === tab;
        t.setAttribute("aria-selected", String(on));
        t.tabIndex = on ? 0 : -1;
        const panel = document.getElementById(t.getAttribute("aria-controls"));
        if (panel) panel.hidden = !on;
      });
      if (list.dataset.remember) remembered[list.dataset.remember] = tab.dataset.channel;
      if (follow && tab.dataset.channel) {
        document.querySelectorAll('[data-remember] [role="tab"][data-channel="' + tab.dataset.channel + '"]').forEach((t) => t !== tab && t.click());
      }
    };
    all.forEach((t, i) => {
      t.addEventListener("click", () => show(t, !list.dataset.remember));
      t.addEventListener("keydown", (e) => {
        const next = e.key === "ArrowRight" ? all[(i + 1) % all.length] : e.key === "ArrowLeft" ? all[(i - 1 + all.length) % all.length] : null;
        if (next) { e.preventDefault(); next.focus(); show(next, !list.dataset.remember); }
      });
    });
    const kept = list.dataset.remember && all.find((t) => t.dataset.channel && t.dataset.channel === remembered[list.dataset.remember]);
    show(kept || all.find((t) => t.getAttribute("aria-selected") === "true") || all[0], false);
  }

  // Characters (code points, as the server counts) before a point in `el`.
  function offset(el, node, at) {
    const range = document.createRange();
    range.selectNodeContents(el);
    range.setEnd(node, at);
    return Array.from(range.toString()).length;
  }

  // Selecting words in any text under review (the base text or a
  // channel's own) fills the comment form's anchor and brings the form
  // right under those words.
  function textAnchors(form) {
    const sources = Array.from(document.querySelectorAll(".anchorable"));
    if (sources.length === 0) return;
    const show = form.querySelector("[data-anchor-quote]");
    document.addEventListener("selectionchange", () => {
      const sel = window.getSelection();
      if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
      const r = sel.getRangeAt(0);
      const source = sources.find((s) => s.contains(r.startContainer) && s.contains(r.endContainer));
      if (!source) return;
      const start = offset(source, r.startContainer, r.startOffset);
      const end = offset(source, r.endContainer, r.endOffset);
      if (end <= start) return;
      form.querySelector('[name="anchor"]').value = "text";
      form.querySelector('[name="start"]').value = String(start);
      form.querySelector('[name="end"]').value = String(end);
      form.querySelector('[name="channel"]').value = source.dataset.channel || "";
      const where = source.dataset.channel ? " (" + source.dataset.label + ")" : "";
      if (show) show.textContent = say("onWords", { words: r.toString(), where });
      const block = source.closest(".text-block") || source;
      if (block.nextElementSibling !== form) {
        block.after(form);
        form.classList.add("inline-comment");
      }
    });
  }

  // "@" and a few letters in a comment offers the members whose names
  // match; choosing one writes "@Name" and marks them to be notified.
  function mentions(area) {
    const select = document.getElementById(area.dataset.mentions);
    if (!select) return;
    const picker = select.closest(".mention-picker");
    if (picker) picker.hidden = true;
    const people = Array.from(select.options).map((o) => ({ option: o, name: o.textContent.replace(/^@/, "") }));
    const list = document.createElement("ul");
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    area.after(list);
    let choices = [];
    let at = 0;
    const close = () => { list.hidden = true; choices = []; area.removeAttribute("aria-activedescendant"); };
    const choose = (person) => {
      const caret = area.selectionStart;
      const before = area.value.slice(0, caret).replace(/@([^\s@]*)$/, "@" + person.name + " ");
      area.value = before + area.value.slice(caret);
      area.setSelectionRange(before.length, before.length);
      person.option.selected = true;
      close();
      area.focus();
    };
    const draw = () => {
      list.replaceChildren(...choices.map((p, i) => {
        const li = document.createElement("li");
        li.id = "mention-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", String(i === at));
        li.textContent = "@" + p.name;
        li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(p); });
        return li;
      }));
      list.hidden = choices.length === 0;
      if (choices.length) area.setAttribute("aria-activedescendant", "mention-" + at);
    };
    area.addEventListener("input", () => {
      const typed = area.value.slice(0, area.selectionStart).match(/@([^\s@]*)$/);
      if (!typed) return close();
      const want = typed[1].toLowerCase();
      choices = people.filter((p) => p.name.toLowerCase().includes(want)).slice(0, 6);
      at = 0;
      draw();
    });
    area.addEventListener("keydown", (e) => {
      if (list.hidden) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        at = (at + (e.key === "ArrowDown" ? 1 : choices.length - 1)) % choices.length;
        draw();
      } else if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        choose(choices[at]);
      } else if (e.key === "Escape") {
        close();
      }
    });
    area.addEventListener("blur", () => setTimeout(close, 150));
  }

  // Clicking a spot of an image fills the comment form's image region.
  function imageAnchors(form) {
    document.querySelectorAll(".image-anchor").forEach((box) => {
      const img = box.querySelector("img");
      if (!img) return;
      const mark = (x, y) => {
        const w = 0.2, h = 0.2;
        const left = Math.min(Math.max(x - w / 2, 0), 1 - w), top = Math.min(Math.max(y - h / 2, 0), 1 - h);
        form.querySelector('[name="anchor"]').value = "image";
        form.querySelector('[name="media_id"]').value = box.dataset.media;
        for (const [k, v] of [["x", left], ["y", top], ["width", w], ["height", h]]) form.querySelector(`[name="${k}"]`).value = v.toFixed(3);
        let region = box.querySelector(".region");
        if (!region) { region = document.createElement("span"); region.className = "region"; box.appendChild(region); }
        region.style.left = left * 100 + "%"; region.style.top = top * 100 + "%";
        region.style.width = w * 100 + "%"; region.style.height = h * 100 + "%";
        const show = form.querySelector("[data-anchor-quote]");
        if (show) show.textContent = say("onImage", { x: Math.round(x * 100), y: Math.round(y * 100) });
      };
      img.addEventListener("click", (e) => {
        const r = img.getBoundingClientRect();
        mark((e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height);
      });
    });
  }

  // The elements matching `selector` in `scope`, the scope itself included
  // (htmx announces each swapped-in element as a scope of its own).
  const within = (scope, selector) => [...(scope.matches?.(selector) ? [scope] : []), ...scope.querySelectorAll(selector)];

  // A "Copy" button beside a secret or link shown once.
  function copyButtons(scope) {
    within(scope, "[data-copy]").forEach((source) => {
      if (source.dataset.ready || !navigator.clipboard) return;
      source.dataset.ready = "1";
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = say("copy");
      button.addEventListener("click", async () => {
        await navigator.clipboard.writeText(source.textContent.trim());
        button.textContent = say("copied");
      });
      source.after(" ", button);
    });
  }

  // A list to choose several from (people, groups, roles, labels …): a
  // filter box and ticks instead of Ctrl-clicking; the list itself stays
  // the form's field, and the page works without this.
  function picker(select) {
    const box = document.createElement("div");
    box.className = "picker";
    const find = document.createElement("input");
    find.type = "search";
    find.placeholder = say("find");
    find.setAttribute("aria-label", say("findIn", { list: select.labels[0]?.textContent.trim() || say("theList") }));
    const list = document.createElement("ul");
    const rows = Array.from(select.options).map((o) => {
      const li = document.createElement("li");
      const label = document.createElement("label");
      const tick = document.createElement("input");
      tick.type = "checkbox";
      tick.checked = o.selected;
      tick.addEventListener("change", () => { o.selected = tick.checked; });
      label.append(tick, " " + o.textContent);
      li.append(label);
      list.append(li);
      return { li, text: o.textContent.toLowerCase(), tick, option: o };
    });
    find.addEventListener("input", () => {
      const want = find.value.trim().toLowerCase();
      rows.forEach((r) => { r.li.hidden = want !== "" && !r.text.includes(want) && !r.tick.checked; });
    });
    // The list may be changed directly (by a script or an automated test): follow it.
    select.addEventListener("change", () => rows.forEach((r) => { r.tick.checked = r.option.selected; }));
    box.append(find, list);
    select.after(box);
    select.hidden = true;
    select.closest("div, fieldset")?.querySelectorAll(".ctrl-hint").forEach((h) => { h.hidden = true; });
  }

  // Keyboard shortcuts (listed by "?"): n new post, / search, j and k
  // through a list, a approve (asking first). Typing in a field is left alone.
  function shortcuts() {
    const cards = () => Array.from(document.querySelectorAll(".review-card, .search-hits > li"));
    const move = (step) => {
      const all = cards();
      if (all.length === 0) return;
      const at = all.findIndex((c) => c.classList.contains("kb-current"));
      const next = all[Math.min(Math.max(at + step, 0), all.length - 1)];
      all.forEach((c) => c.classList.toggle("kb-current", c === next));
      next.scrollIntoView({ block: "nearest" });
      next.querySelector("a")?.focus();
    };
    const approve = () => {
      const card = document.querySelector(".review-card.kb-current");
      const button = card ? card.querySelector("button.approve") : document.querySelector("#decision-form button[value=approve]");
      if (!button) return;
      const what = card ? "“" + card.querySelector("h2").textContent.trim() + "”" : say("thisRevision");
      if (window.confirm(say("approve", { what }))) button.click();
    };
    document.addEventListener("keydown", (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      if (e.target.closest("input, textarea, select, [contenteditable], dialog[open]")) return;
      const act = {
        "/": () => document.querySelector("#search-page-q, #search-q")?.focus(),
        n: () => { const link = document.querySelector('header a[href$="/posts/new"]'); if (link) window.location.href = link.href; },
        j: () => move(1),
        k: () => move(-1),
        a: approve,
        "?": () => document.getElementById("shortcuts")?.showModal(),
      }[e.key];
      if (act) { e.preventDefault(); act(); }
    });
  }

  // Filters sit behind a button on a phone; on a wide screen they are open.
  const wide = window.matchMedia("(min-width: 48rem)");

  function init(scope) {
    copyButtons(scope);
    if (wide.matches) within(scope, "details.filters").forEach((d) => { d.open = true; });
    within(scope, "[data-calendar]").forEach((c) => { if (!c.dataset.ready) { c.dataset.ready = "1"; calendar(c); } });
    within(scope, '[role="tablist"]').forEach((t) => { if (!t.dataset.ready) { t.dataset.ready = "1"; tabs(t); } });
    within(scope, "form[data-anchor-text]").forEach((f) => { if (!f.dataset.ready) { f.dataset.ready = "1"; textAnchors(f); imageAnchors(f); } });
    within(scope, "textarea[data-mentions]").forEach((a) => { if (!a.dataset.ready) { a.dataset.ready = "1"; mentions(a); } });
    within(scope, "select[data-picker]").forEach((s) => { if (!s.dataset.ready) { s.dataset.ready = "1"; picker(s); } });
  }
  document.addEventListener("DOMContentLoaded", () => { init(document); shortcuts(); });
  document.addEventListener("htmx:load", (e) => init(e.target));
})();
