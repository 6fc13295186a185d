/* Filter and sort the claims ledger offline: chapter, verdict, evidence kind and free text.
 * Enhances every table inside a `div.claims-ledger` container; needs no library and no network. */
(function () {
  "use strict";

  function text(cell) { return (cell.textContent || "").replace(/\s+/g, " ").trim(); }

  function column(headers, name) {
    for (var i = 0; i < headers.length; i++) {
      if (headers[i].toLowerCase().indexOf(name) === 0) { return i; }
    }
    return -1;
  }

  function select(label, values, all) {
    var wrap = document.createElement("label");
    wrap.textContent = label + " ";
    var s = document.createElement("select");
    s.setAttribute("aria-label", label);
    var first = document.createElement("option");
    first.value = "";
    first.textContent = all;
    s.appendChild(first);
    values.forEach(function (v) {
      var o = document.createElement("option");
      o.value = v;
      o.textContent = v;
      s.appendChild(o);
    });
    wrap.appendChild(s);
    return { wrap: wrap, input: s };
  }

  function uniq(list) {
    return list.filter(function (v, i) { return v && list.indexOf(v) === i; }).sort();
  }

  function enhance(table) {
    var headRow = table.tHead ? table.tHead.rows[0] : table.rows[0];
    var headers = Array.prototype.map.call(headRow.cells, text);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var iClaim = column(headers, "claim"), iVerdict = column(headers, "verdict"),
        iEvidence = column(headers, "evidence");
    rows.forEach(function (row) {
      var id = text(row.cells[iClaim]);
      row.id = "claim-" + id.replace(".", "-");
      row.dataset.chapter = "Chapter " + id.charAt(1);
      row.dataset.verdict = iVerdict >= 0 ? text(row.cells[iVerdict]) : "";
      row.dataset.evidence = iEvidence >= 0 ? text(row.cells[iEvidence]).split(";")[0].trim() : "";
    });
    var bar = document.createElement("div");
    bar.className = "claims-ledger-controls";
    var chapter = select("Chapter", uniq(rows.map(function (r) { return r.dataset.chapter; })), "all chapters");
    var verdict = select("Verdict", uniq(rows.map(function (r) { return r.dataset.verdict; })), "all verdicts");
    var evidence = select("Evidence", uniq(rows.map(function (r) { return r.dataset.evidence; })), "all kinds");
    var search = document.createElement("input");
    search.type = "search";
    search.placeholder = "Search claims";
    search.setAttribute("aria-label", "Search claims");
    var count = document.createElement("span");
    count.className = "claims-ledger-count";
    count.setAttribute("role", "status");
    [chapter.wrap, verdict.wrap, evidence.wrap, search, count].forEach(function (el) { bar.appendChild(el); });
    table.parentNode.insertBefore(bar, table);

    function apply() {
      var q = search.value.toLowerCase(), shown = 0;
      rows.forEach(function (row) {
        var ok = (!chapter.input.value || row.dataset.chapter === chapter.input.value) &&
                 (!verdict.input.value || row.dataset.verdict === verdict.input.value) &&
                 (!evidence.input.value || row.dataset.evidence === evidence.input.value) &&
                 (!q || text(row).toLowerCase().indexOf(q) >= 0);
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      count.textContent = shown + " of " + rows.length + " claims";
    }
    [chapter.input, verdict.input, evidence.input].forEach(function (s) { s.addEventListener("change", apply); });
    search.addEventListener("input", apply);

    Array.prototype.forEach.call(headRow.cells, function (cell, i) {
      cell.style.cursor = "pointer";
      cell.title = "Sort by " + headers[i];
      cell.addEventListener("click", function () {
        var asc = cell.dataset.sort !== "asc";
        Array.prototype.forEach.call(headRow.cells, function (c) { delete c.dataset.sort; });
        cell.dataset.sort = asc ? "asc" : "desc";
        rows.sort(function (a, b) {
          var x = text(a.cells[i]), y = text(b.cells[i]);
          return (asc ? 1 : -1) * x.localeCompare(y, undefined, { numeric: true });
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });

    var hash = window.location.hash.match(/^#claim-(C\d-\d\d)$/);
    if (hash) {
      search.value = hash[1].replace("-", ".");
      var target = document.getElementById("claim-" + hash[1]);
      if (target) { target.scrollIntoView(); }
    }
    apply();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("div.claims-ledger table"), enhance);
  });
})();
