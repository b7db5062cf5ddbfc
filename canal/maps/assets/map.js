/* canal map page. Every text from the data is set with textContent: never innerHTML. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("canal-data").textContent);
  var meta = DATA.meta, info = DATA.info, einfo = DATA.einfo;
  var GAP = meta.gap_colour, DIM = "rgba(205,205,205,0.45)", DIM_EDGE = "rgba(210,210,210,0.25)";
  var EDGE_COLOUR = { color: "#b5b5b5", highlight: "#333333", hover: "#555555", opacity: 0.9 };
  var png = /^#png(&|$)/.test(location.hash);
  if (png) { document.body.classList.add("png"); }

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function fmt(n) { return Number(n).toLocaleString("en-US"); }

  // ---- header ------------------------------------------------------------------------
  var summary = meta.aggregated
    ? fmt(meta.nodes) + " groups of " + fmt(meta.total_nodes) + " nodes, " + fmt(meta.total_edges) + " relationships"
    : fmt(meta.nodes - (meta.collapsed || []).length) + " nodes, " + fmt(shownEdges()) + " relationships";
  function shownEdges() {
    var out = {};
    (meta.collapsed || []).forEach(function (id) { out[id] = true; });
    return DATA.edges.filter(function (e) { return e.match === undefined && !out[e.from] && !out[e.to]; }).length;
  }
  if (meta.collapsed && meta.collapsed.length) {
    summary += " (+" + fmt(meta.collapsed.length) + " one hop further out, hidden: select a node and Expand / 外一层节点已折叠，选中后点“展开”)";
  }
  summary += " · node size: " + meta.size_label[0] + " / " + meta.size_label[1];
  if (meta.layout === "stages") { summary += " · stages from left to right / 阶段从左到右"; }
  $("summary").textContent = summary;
  if (meta.notice) {
    var notice = $("notice");
    notice.hidden = false;
    notice.appendChild(el("div", null, meta.notice));
    if (meta.notice_zh) { notice.appendChild(el("div", "zh", meta.notice_zh)); }
  }

  // ---- data sets -----------------------------------------------------------------------
  var groupColour = {};
  Object.keys(DATA.groups).forEach(function (g) { groupColour[g] = DATA.groups[g].color; });
  var baseFont = {}, baseLabel = {};
  DATA.nodes.forEach(function (n) { baseFont[n.id] = (n.font && n.font.size) || 14; baseLabel[n.id] = n.label; });
  var baseEdge = {};
  DATA.edges.forEach(function (e) { baseEdge[e.id] = { color: e.color || EDGE_COLOUR, width: e.width || 1 }; });
  var nodes = new vis.DataSet(DATA.nodes);
  var edges = new vis.DataSet(DATA.edges);
  var adj = {};
  DATA.nodes.forEach(function (n) { adj[n.id] = []; });
  DATA.edges.forEach(function (e) {
    if (e.match === undefined && adj[e.from] && adj[e.to]) { adj[e.from].push(e.to); adj[e.to].push(e.from); }
  });
  var big = DATA.nodes.length > 1500;
  var options = {
    groups: DATA.groups,
    nodes: {
      borderWidth: 1.5,
      font: { size: 14, face: "system-ui, sans-serif", color: "#222222", strokeWidth: 3, strokeColor: "#ffffff" },
      scaling: { label: { drawThreshold: 6 } }
    },
    edges: {
      arrows: { to: { enabled: true, scaleFactor: 0.45 } },
      color: EDGE_COLOUR,
      smooth: false,
      width: 1,
      selectionWidth: 1.5,
      font: { size: 9, color: "#777777", strokeWidth: 2, align: "middle" }
    },
    physics: {
      enabled: false,
      stabilization: { enabled: true, iterations: 150, updateInterval: 25, fit: false },
      barnesHut: { gravitationalConstant: -4000, springLength: 110, avoidOverlap: 0.2 }
    },
    interaction: { hover: true, tooltipDelay: 120, hideEdgesOnDrag: big, hideEdgesOnZoom: big, multiselect: true },
    layout: { improvedLayout: false }
  };
  var container = $("network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);

  // ---- state and styles -------------------------------------------------------------------
  // hidden: what is not drawn (filters, time, user removals); keep: highlighted nodes (2: chosen,
  // 1: neighbour); keepEdges: when set, the only relationships not dimmed (a path)
  var state = { hidden: {}, keep: null, keepEdges: null, gaps: true, matches: true, changed: true, edgeOff: {} };
  var CHANGED = "#f08c00";

  function nodeStyle(id) {
    var n = nodes.get(id, { fields: ["id", "group"] });
    var inGap = state.gaps && info[id] && info[id].gaps && info[id].gaps.length > 0;
    var isNew = state.changed && info[id] && info[id].ch === 1;
    var dim = state.keep !== null && !state.keep[id];
    var base = groupColour[n.group] || { background: "#bbbbbb", border: "#888888" };
    var ring = inGap ? GAP : isNew ? CHANGED : null;
    var colour = dim
      ? { background: DIM, border: DIM, highlight: { background: DIM, border: "#000000" }, hover: { background: DIM, border: "#000000" } }
      : ring
        ? { background: base.background, border: ring, highlight: { background: base.background, border: ring }, hover: { background: base.background, border: ring } }
        : base;
    return {
      id: id,
      hidden: !!state.hidden[id],
      color: colour,
      borderWidth: ring && !dim ? 4 : 1.5,
      shadow: ring && !dim ? { enabled: true, color: isNew ? CHANGED : GAP, size: 16, x: 0, y: 0 } : { enabled: false },
      font: { color: dim ? "rgba(0,0,0,0.18)" : "#222222", size: baseFont[id] || 14 }
    };
  }

  // only items whose look changes are updated: a signature per item remembers the last look
  var nodeSig = {}, edgeSig = {};
  // on large maps edges are not dimmed one by one (15k updates take seconds); the selected
  // nodes' own edges are still drawn highlighted by vis-network's selection
  var dimEdges = DATA.edges.length <= 3000;
  function restyle() {
    var upd = [];
    DATA.nodes.forEach(function (n) {
      var id = n.id;
      var inGap = state.gaps && info[id] && info[id].gaps && info[id].gaps.length > 0;
      var isNew = state.changed && info[id] && info[id].ch === 1;
      var dim = state.keep !== null && !state.keep[id];
      var sig = (state.hidden[id] ? "h" : "-") + (dim ? "d" : "-") + (inGap ? "g" : "-") + (isNew ? "c" : "-");
      if ((nodeSig[id] || "----") !== sig) { nodeSig[id] = sig; upd.push(nodeStyle(id)); }
    });
    if (upd.length) { nodes.update(upd); }
    var eupd = [];
    DATA.edges.forEach(function (e) {
      var hidden = !!(state.hidden[e.from] || state.hidden[e.to]) || (e.match !== undefined && !state.matches) || !!state.edgeOff[e.id];
      var dim = state.keepEdges ? !state.keepEdges[e.id]
        : dimEdges && state.keep !== null && !(state.keep[e.from] === 2 || state.keep[e.to] === 2);
      var isNew = state.changed && einfo[e.id] && einfo[e.id].ch === 1;
      var onPath = !!(state.keepEdges && state.keepEdges[e.id]);
      var sig = (hidden ? "h" : "-") + (dim ? "d" : "-") + (isNew ? "c" : "-") + (onPath ? "p" : "-");
      if ((edgeSig[e.id] || "----") !== sig) {
        edgeSig[e.id] = sig;
        var be = baseEdge[e.id] || { color: EDGE_COLOUR, width: 1 };
        eupd.push({
          id: e.id, hidden: hidden,
          color: dim ? { color: DIM_EDGE, highlight: DIM_EDGE, hover: DIM_EDGE } : onPath ? { color: "#000000", highlight: "#000000", hover: "#000000" } : isNew ? { color: CHANGED, highlight: CHANGED, hover: CHANGED } : be.color,
          width: onPath ? 3.5 : isNew ? 2.5 : be.width
        });
      }
    });
    if (eupd.length) { edges.update(eupd); }
  }

  // neighbourhood highlight: the chosen nodes (2) and their neighbours (1); others dimmed
  function highlight(ids) {
    if (!ids || ids.length === 0) { state.keep = null; spotlight = null; restyle(); network.redraw(); return; }
    var keep = {};
    ids.forEach(function (id) {
      keep[id] = 2;
      (adj[id] || []).forEach(function (m) { if (!keep[m]) { keep[m] = 1; } });
    });
    if (big) {
      // large maps: restyling thousands of items takes seconds, so the neighbourhood is
      // drawn as a spotlight over a veiled map instead (one redraw)
      var centre = {}, es = [];
      ids.forEach(function (id) {
        centre[id] = true;
        network.getConnectedEdges(id).forEach(function (eid) {
          var e = edges.get(eid);
          if (e && !state.hidden[e.from] && !state.hidden[e.to] && (e.match === undefined || state.matches)) { es.push([e.from, e.to, e.match !== undefined]); }
        });
      });
      spotlight = { centre: centre, nodes: Object.keys(keep).filter(function (id) { return !state.hidden[id]; }), edges: es };
      network.redraw();
      return;
    }
    state.keep = keep;
    restyle();
  }

  // ---- spotlight (large maps) ----------------------------------------------------------------
  var spotlight = null;
  var SHAPE_POINTS = {
    diamond: [[0, -1], [1, 0], [0, 1], [-1, 0]],
    triangle: [[0, -1], [1, 0.75], [-1, 0.75]],
    triangleDown: [[0, 1], [1, -0.75], [-1, -0.75]],
    hexagon: [[1, 0], [0.5, 0.87], [-0.5, 0.87], [-1, 0], [-0.5, -0.87], [0.5, -0.87]],
    square: [[-0.8, -0.8], [0.8, -0.8], [0.8, 0.8], [-0.8, 0.8]],
    star: [[0, -1], [0.24, -0.32], [0.95, -0.31], [0.38, 0.12], [0.59, 0.81], [0, 0.4], [-0.59, 0.81], [-0.38, 0.12], [-0.95, -0.31], [-0.24, -0.32]]
  };
  network.on("afterDrawing", function (ctx) {
    if (!spotlight) { return; }
    var scale = network.getScale();
    var pos = network.getPositions(spotlight.nodes);
    var a = network.DOMtoCanvas({ x: 0, y: 0 }), b = network.DOMtoCanvas({ x: container.clientWidth, y: container.clientHeight });
    ctx.save();
    ctx.fillStyle = "rgba(255,255,255,0.85)";
    ctx.fillRect(a.x, a.y, b.x - a.x, b.y - a.y);
    spotlight.edges.forEach(function (e) {
      var p = pos[e[0]], q = pos[e[1]];
      if (!p || !q) { return; }
      ctx.beginPath(); ctx.moveTo(p.x, p.y); ctx.lineTo(q.x, q.y);
      ctx.strokeStyle = e[2] ? meta.match_colour : "#555555";
      ctx.setLineDash(e[2] ? [8 / scale, 6 / scale] : []);
      ctx.lineWidth = 1.6 / scale;
      ctx.stroke();
    });
    ctx.setLineDash([]);
    var fontPx = 13 / scale;
    ctx.font = fontPx + "px system-ui, sans-serif";
    ctx.textAlign = "center";
    spotlight.nodes.forEach(function (id) {
      var p = pos[id], n = nodes.get(id);
      if (!p || !n) { return; }
      var g = DATA.groups[n.group] || { shape: "dot", color: { background: "#bbbbbb", border: "#888888" } };
      var r = Math.max(n.size, 6 / scale), pts = SHAPE_POINTS[g.shape];
      ctx.beginPath();
      if (pts) {
        pts.forEach(function (pt, k) { if (k === 0) { ctx.moveTo(p.x + pt[0] * r, p.y + pt[1] * r); } else { ctx.lineTo(p.x + pt[0] * r, p.y + pt[1] * r); } });
        ctx.closePath();
      } else {
        ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
      }
      ctx.fillStyle = g.color.background; ctx.fill();
      ctx.strokeStyle = spotlight.centre[id] ? "#000000" : g.color.border;
      ctx.lineWidth = (spotlight.centre[id] ? 3 : 1.2) / scale;
      ctx.stroke();
      ctx.lineWidth = 3 / scale; ctx.strokeStyle = "#ffffff";
      ctx.strokeText(n.label, p.x, p.y + r + fontPx);
      ctx.fillStyle = "#111111";
      ctx.fillText(n.label, p.x, p.y + r + fontPx);
    });
    ctx.restore();
  });

  // ---- filters -------------------------------------------------------------------------
  var chainOn = {}, classOn = {}, classLabel = {};
  DATA.legend.classes.forEach(function (c) { classLabel[c.cls] = c.en + " " + c.zh; });
  DATA.legend.chains.forEach(function (c) { chainOn[c.key] = true; });
  DATA.legend.classes.forEach(function (c) { classOn[c.cls] = true; });

  function scopeSet(field, value) {
    if (!value) { return null; }
    var members = {};
    Object.keys(info).forEach(function (id) { if ((info[id][field] || []).indexOf(value) >= 0) { members[id] = true; } });
    if ($("with-neighbours").checked) {
      Object.keys(members).forEach(function (id) { (adj[id] || []).forEach(function (m) { members[m] = true; }); });
    }
    return members;
  }

  // what the reader removed (collapse, only the selection) and, when set, the only nodes shown
  // meta.collapsed: nodes one hop beyond a neighbourhood, in the page but hidden until expanded
  var collapsedAtStart = {};
  (meta.collapsed || []).forEach(function (id) { collapsedAtStart[id] = true; });
  function startRemoved() { var r = {}; Object.keys(collapsedAtStart).forEach(function (id) { r[id] = true; }); return r; }
  var view = { removed: startRemoved(), shown: null, years: null, opened: {} };

  function timeHidden(i) {
    if (!view.years || !i || !i.t) { return false; }
    return i.t[1] === "f" ? i.t[0] > view.years[1] : (i.t[0] < view.years[0] || i.t[0] > view.years[1]);
  }

  function applyFilters(noFit) {
    var region = scopeSet("regions", $("region").value);
    var alliance = scopeSet("alliances", $("alliance").value);
    var hidden = {};
    DATA.nodes.forEach(function (n) {
      var i = info[n.id];
      var ok = chainOn[i.chain] !== false && (!i.cls || classOn[i.cls] !== false);
      if (i.member && !view.opened[i.member]) { ok = false; }
      if (region && !region[n.id]) { ok = false; }
      if (alliance && !alliance[n.id]) { ok = false; }
      if (view.removed[n.id] || (view.shown && !view.shown[n.id])) { ok = false; }
      if (timeHidden(i)) { ok = false; }
      if (!ok) { hidden[n.id] = true; }
    });
    var off = {};
    if (view.years) {
      DATA.edges.forEach(function (e) {
        var t = einfo[e.id] && einfo[e.id].t;
        if (t && (t < view.years[0] || t > view.years[1])) { off[e.id] = true; }
      });
    }
    state.hidden = hidden;
    state.edgeOff = off;
    restyle();
    if (!noFit && !applying) { fitAll(); }
    saveState();
  }

  function fillSelect(sel, options) {
    options.forEach(function (o) {
      var opt = document.createElement("option");
      opt.value = o[0];
      opt.textContent = o[1];
      sel.appendChild(opt);
    });
  }
  fillSelect($("region"), DATA.filters.regions.map(function (r) { return [r, r]; }));
  fillSelect($("alliance"), DATA.filters.alliances);
  if (!DATA.filters.regions.length) { $("region").disabled = true; }
  if (!DATA.filters.alliances.length) { $("alliance").disabled = true; }
  $("region").addEventListener("change", function () { applyFilters(); });
  $("alliance").addEventListener("change", function () { applyFilters(); });
  $("with-neighbours").addEventListener("change", function () { applyFilters(); });

  // ---- legend --------------------------------------------------------------------------
  var SVGNS = "http://www.w3.org/2000/svg";
  function shapeIcon(shape, colour, border) {
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("width", "18"); svg.setAttribute("height", "18"); svg.setAttribute("viewBox", "-10 -10 20 20");
    var s;
    var pts = {
      diamond: "0,-8 8,0 0,8 -8,0",
      triangle: "0,-8 8,6 -8,6",
      triangleDown: "0,8 8,-6 -8,-6",
      hexagon: "8,0 4,7 -4,7 -8,0 -4,-7 4,-7",
      star: "0,-9 2.1,-2.9 8.6,-2.8 3.4,1.1 5.3,7.3 0,3.6 -5.3,7.3 -3.4,1.1 -8.6,-2.8 -2.1,-2.9"
    };
    if (shape === "square") {
      s = document.createElementNS(SVGNS, "rect");
      s.setAttribute("x", "-7"); s.setAttribute("y", "-7"); s.setAttribute("width", "14"); s.setAttribute("height", "14");
    } else if (pts[shape]) {
      s = document.createElementNS(SVGNS, "polygon");
      s.setAttribute("points", pts[shape]);
    } else {
      s = document.createElementNS(SVGNS, "circle");
      s.setAttribute("r", "7");
    }
    s.setAttribute("fill", colour);
    s.setAttribute("stroke", border || "#555555");
    svg.appendChild(s);
    return svg;
  }

  function legendRow(parent, icon, en, zh, n, onToggle, attrs) {
    var row = el("label", "lrow");
    Object.keys(attrs || {}).forEach(function (k) { row.setAttribute(k, attrs[k]); });
    if (onToggle) {
      var box = document.createElement("input");
      box.type = "checkbox"; box.checked = true; box.className = "ctl";
      box.addEventListener("change", function () { onToggle(box.checked); });
      row.appendChild(box);
    }
    if (icon) { row.appendChild(icon); }
    var t = el("span", "en", en);
    row.appendChild(t);
    if (zh) { row.appendChild(el("span", "zh", zh)); }
    if (n !== null && n !== undefined) { row.appendChild(el("span", "n", fmt(n))); }
    parent.appendChild(row);
    return row;
  }

  var lc = $("legend-chains");
  lc.appendChild(el("h2", null, meta.aggregated ? "Chains (colour of the groups' main chain)" : "Chains (colour)"));
  DATA.legend.chains.forEach(function (c) {
    legendRow(lc, shapeIcon("dot", c.colour), c.en, c.zh, null, function (on) { chainOn[c.key] = on; applyFilters(); }, { "data-chain": c.key });
  });
  var lcl = $("legend-classes");
  lcl.appendChild(el("h2", null, meta.aggregated ? "Classes inside the groups" : "Classes shown (shape) / 类别"));
  DATA.legend.classes.forEach(function (c) {
    var row = legendRow(lcl, meta.aggregated ? null : shapeIcon(c.shape, c.colour), c.en, c.zh, c.count,
      meta.aggregated ? null : function (on) { classOn[c.cls] = on; applyFilters(); }, { "data-class": c.cls });
    row.title = c.def_en + (c.def_zh ? "\n" + c.def_zh : "");
  });
  var keys = $("legend-keys");
  keys.appendChild(el("div", null, "Size: " + meta.size_label[0] + " / 大小：" + meta.size_label[1]));
  if (!meta.aggregated) {
    keys.appendChild(el("div", null, "Arrow: relationship, from subject to object / 箭头：关系方向"));
  } else {
    keys.appendChild(el("div", null, "Line width: relationships between groups / 线宽：组间关系数"));
  }
  if (DATA.gaps.length) {
    var g = el("div", "lrow"); g.appendChild(shapeIcon("dot", "#ffffff", GAP)); g.appendChild(el("span", null, "red ring: node in a gap / 红圈：缺口所涉节点")); keys.appendChild(g);
  }
  if (DATA.matches.length) {
    keys.appendChild(el("div", null, "dashed purple line: proposed match, with score / 紫色虚线：推荐对接及得分"));
  }
  if (meta.layout === "stages") {
    keys.appendChild(el("div", null, "Columns: stages research → pilot → industrialisation → capital; lane below: bridge actors without a stage / 列：研发→中试→产业化→资本化；下方：无阶段的衔接主体"));
  }

  // ---- cards (tooltip and details) ----------------------------------------------------
  function classText(i) {
    var entry = null;
    DATA.legend.classes.forEach(function (c) { if (c.cls === i.cls) { entry = c; } });
    var chain = null;
    DATA.legend.chains.forEach(function (c) { if (c.key === i.chain) { chain = c; } });
    var parts = [];
    if (entry) { parts.push(entry.en + " / " + entry.zh); }
    if (chain) { parts.push(chain.en + " / " + chain.zh); }
    if (entry && entry.stage) {
      DATA.legend.stages.forEach(function (s) { if (s.key === entry.stage) { parts.push(s.en + " / " + s.zh); } });
    }
    return parts.join(" · ");
  }

  function provText(p) {
    if (!p || !Object.keys(p).length) { return ""; }
    var out = "Source / 来源: " + (p.sourceTitle || p.source || "?");
    var bits = [];
    if (p.publisher) { bits.push(p.publisher); }
    if (p.published) { bits.push(p.published); }
    if (bits.length) { out += " (" + bits.join(", ") + ")"; }
    if (p.source && p.sourceTitle) { out += " [" + p.source + "]"; }
    if (p.retrieved) { out += "; retrieved " + p.retrieved; }
    if (p.method) { out += "; " + p.method; }
    if (p.confidence) { out += "; confidence " + p.confidence; }
    return out;
  }

  function nodeCard(id, full) {
    var i = info[id], box = el("div");
    var n = nodes.get(id);
    box.appendChild(el(full ? "h3" : "div", "t-name", n.label));
    var others = i.names.filter(function (x) { return x !== n.label; });
    if (others.length) { box.appendChild(el("div", "t-line", others.join(" · "))); }
    var ct = classText(i);
    if (ct) { box.appendChild(el("div", "t-line muted", ct)); }
    if (i.regions && i.regions.length) { box.appendChild(el("div", "t-line", "Region / 地区: " + i.regions.join(" · "))); }
    if (i.alliances && i.alliances.length) {
      box.appendChild(el("div", "t-line", "Alliance / 联盟: " + i.alliances.map(function (a) { return nodes.get(a) ? nodes.get(a).label : a; }).join(" · ")));
    }
    var props = full ? i.props : i.props.slice(0, 6);
    if (props.length) {
      var table = el("table", "props");
      props.forEach(function (p) {
        var tr = el("tr");
        tr.appendChild(el("td", null, p[0] + (p[1] ? " / " + p[1] : "")));
        tr.appendChild(el("td", null, full ? p[2] : String(p[2]).slice(0, 160)));
        table.appendChild(tr);
      });
      box.appendChild(table);
    }
    box.appendChild(el("div", "t-line muted", meta.size_label[0] + ": " + fmt(i.value)));
    var gapIds = i.gaps || [];
    if (gapIds.length > 5) { box.appendChild(el("div", "gapnote", fmt(gapIds.length) + " gaps / 个缺口; the worst five / 最严重的五个:")); }
    gapIds.slice(0, 5).forEach(function (k) {
      var gap = DATA.gaps[k];
      box.appendChild(el("div", "gapnote", "Gap / 缺口 — " + gap.type + " (" + gap.severity + "): " + gap.en));
      if (gap.zh) { box.appendChild(el("div", "gapnote", gap.zh)); }
    });
    DATA.matches.forEach(function (m) {
      if (m.shown && (m.source === id || m.target === id)) {
        var other = m.source === id ? m.target : m.source;
        box.appendChild(el("div", "t-line", "Proposed match / 推荐对接 → " + (nodes.get(other) ? nodes.get(other).label : other) + " (" + m.score.toFixed(2) + ")"));
      }
    });
    var pt = provText(i.prov);
    if (pt) { box.appendChild(el("div", "t-prov", pt)); }
    if (i.prov && i.prov.evidence) { box.appendChild(el("div", "t-prov", "Evidence / 证据: " + i.prov.evidence)); }
    if (full) {
      var ns = adj[id] || [];
      if (ns.length) {
        box.appendChild(el("h2", null, "Neighbours / 相连节点 (" + ns.length + ")"));
        var ol = el("ol", "nlist");
        ns.slice(0, 60).forEach(function (m) {
          var li = el("li", null, nodes.get(m).label);
          li.addEventListener("click", function () { select(m); });
          ol.appendChild(li);
        });
        box.appendChild(ol);
      }
    }
    return box;
  }

  function edgeCard(id) {
    var e = edges.get(id), box = el("div");
    if (e.match !== undefined) {
      var m = DATA.matches[e.match];
      box.appendChild(el("div", "t-name", "Proposed match / 推荐对接: " + m.score.toFixed(2)));
      box.appendChild(el("div", "t-line", nodes.get(m.source).label + " → " + nodes.get(m.target).label + (m.direction ? " (" + m.direction + ")" : "")));
      if (m.en) { box.appendChild(el("div", "t-line", m.en)); }
      if (m.zh) { box.appendChild(el("div", "t-line", m.zh)); }
      m.contributions.slice(0, 6).forEach(function (c) { box.appendChild(el("div", "t-line muted", c[0] + ": " + c[1])); });
      return box;
    }
    var i = einfo[id] || { en: "", zh: "", props: [], prov: {} };
    var from = nodes.get(e.from), to = nodes.get(e.to);
    box.appendChild(el("div", "t-name", (from ? from.label : e.from) + " → " + (i.en || i.type) + (i.zh ? " / " + i.zh : "") + " → " + (to ? to.label : e.to)));
    i.props.forEach(function (p) { box.appendChild(el("div", "t-line", p[0] + ": " + p[1])); });
    var pt = provText(i.prov);
    if (pt) { box.appendChild(el("div", "t-prov", pt)); }
    if (i.prov && i.prov.evidence) { box.appendChild(el("div", "t-prov", "Evidence / 证据: " + i.prov.evidence)); }
    return box;
  }

  var tip = $("tooltip");
  function showTip(card, pointer) {
    while (tip.firstChild) { tip.removeChild(tip.firstChild); }
    tip.appendChild(card);
    tip.hidden = false;
    var r = container.getBoundingClientRect();
    var x = r.left + window.scrollX + pointer.x + 14, y = r.top + window.scrollY + pointer.y + 14;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth - 4) { x = Math.max(4, x - w - 28); }
    if (y + h > window.innerHeight - 4) { y = Math.max(4, y - h - 28); }
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }
  function hideTip() { tip.hidden = true; }
  network.on("hoverNode", function (p) { showTip(nodeCard(p.node, false), p.pointer.DOM); });
  network.on("hoverEdge", function (p) { showTip(edgeCard(p.edge), p.pointer.DOM); });
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);

  var details = $("details");
  function showDetails(id) {
    while (details.firstChild) { details.removeChild(details.firstChild); }
    if (id === null) { details.hidden = true; return; }
    details.appendChild(nodeCard(id, true));
    details.hidden = false;
  }

  function select(id, zoom) {
    if (!info[id]) { return; }
    clearPath();
    network.selectNodes([id]);
    highlight([id]);
    showDetails(id);
    network.focus(id, { scale: zoom || Math.max(network.getScale(), 1.0), animation: false });
    selectionChanged();
  }

  network.on("click", function (p) {
    hideTip();
    clearPath();
    if (p.nodes.length) { highlight(p.nodes); showDetails(p.nodes[p.nodes.length - 1]); }
    else if (!p.edges.length) { highlight([]); showDetails(null); }
    selectionChanged();
  });
  network.on("doubleClick", function (p) {
    if (p.nodes.length !== 1) { return; }
    var id = p.nodes[0];
    if (info[id] && info[id].open) { toggleGroup(id); return; }
    if (hiddenNeighbours(id).length) { expand(id); } else { collapse(id); }
  });

  // ---- search --------------------------------------------------------------------------
  function search(q) {
    q = (q || "").trim().toLowerCase();
    if (!q) { return []; }
    var hits = [];
    var compact = q.replace(/\s+/g, "");
    DATA.nodes.forEach(function (n) {
      var s = info[n.id].search;
      var at = s.indexOf(q);
      if (at < 0 && compact !== q) { at = s.indexOf(compact); }
      if (at >= 0) { hits.push([at === 0 ? 0 : 1, n.label.length, n.label, n.id]); }
    });
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0); });
    return hits.map(function (h) { return h[3]; });
  }
  var results = $("results");
  function showResults() {
    while (results.firstChild) { results.removeChild(results.firstChild); }
    var hits = search($("search").value);
    hits.slice(0, 30).forEach(function (id) {
      var li = el("li", null, nodes.get(id).label);
      var i = info[id];
      if (i.cls) { li.appendChild(el("span", "zh", " · " + (classLabel[i.cls] || i.cls))); }
      li.setAttribute("data-id", id);
      li.addEventListener("click", function () { select(id, 1.3); });
      results.appendChild(li);
    });
    if ($("search").value.trim() && !hits.length) { results.appendChild(el("li", "muted", "no match / 无结果")); }
    if (hits.length > 30) { results.appendChild(el("li", "muted", fmt(hits.length - 30) + " more…")); }
    return hits;
  }
  $("search").addEventListener("input", showResults);
  $("search").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { var hits = showResults(); if (hits.length) { select(hits[0], 1.3); } }
  });

  // ---- overlays ------------------------------------------------------------------------
  function label(id) { var n = nodes.get(id); return n ? n.label : id; }
  if (DATA.gaps.length) {
    $("gap-box").hidden = false;
    $("gap-count").textContent = "(" + fmt(DATA.gaps.length) + ")";
    var gl = $("gap-list");
    DATA.gaps.slice(0, 300).forEach(function (g, k) {
      var li = el("li");
      li.appendChild(el("span", "sev", g.severity));
      li.appendChild(el("b", null, g.type));
      if (g.scope) { li.appendChild(el("span", "muted", " · " + g.scope)); }
      var names = g.shown.slice(0, 4).map(label).join(", ");
      li.appendChild(el("div", null, names || "(nodes not on this map / 节点不在本图中)"));
      li.appendChild(el("div", "reason", g.en));
      if (g.zh) { li.appendChild(el("div", "reason zh", g.zh)); }
      li.setAttribute("data-gap", String(k));
      li.addEventListener("click", function () {
        if (!g.shown.length) { return; }
        network.selectNodes(g.shown);
        highlight(g.shown);
        showDetails(g.shown[0]);
        network.fit({ nodes: g.shown.concat(g.shown.length === 1 ? adj[g.shown[0]] || [] : []), animation: false });
      });
      gl.appendChild(li);
    });
    $("show-gaps").addEventListener("change", function () { state.gaps = $("show-gaps").checked; restyle(); saveState(); });
  }
  if (DATA.matches.length) {
    $("match-box").hidden = false;
    $("match-count").textContent = "(" + fmt(DATA.matches.length) + ")";
    var ml = $("match-list");
    DATA.matches.slice(0, 300).forEach(function (m) {
      var li = el("li");
      li.appendChild(el("span", "score", m.score.toFixed(2)));
      li.appendChild(el("span", null, label(m.source) + " → " + label(m.target)));
      if (!m.shown) { li.appendChild(el("span", "muted", " (not on this map / 不在本图中)")); }
      if (m.en) { li.appendChild(el("div", "reason", m.en)); }
      if (m.zh) { li.appendChild(el("div", "reason zh", m.zh)); }
      li.addEventListener("click", function () {
        if (!m.shown) { return; }
        network.selectNodes([m.source, m.target]);
        highlight([m.source, m.target]);
        network.fit({ nodes: [m.source, m.target], animation: false });
      });
      ml.appendChild(li);
    });
    $("show-matches").addEventListener("change", function () { state.matches = $("show-matches").checked; restyle(); saveState(); });
  }

  // ---- stage columns -----------------------------------------------------------------------
  // the layout drawn now; maps up to 2,000 nodes carry the other one too (meta.alt)
  var layouts = {}, lay;
  layouts[meta.layout] = { layout: meta.layout, columns: meta.columns, lane_y: meta.lane_y, column_width: meta.column_width, pos: {} };
  DATA.nodes.forEach(function (n) { layouts[meta.layout].pos[n.id] = [n.x, n.y]; });
  if (meta.alt) { layouts[meta.alt.layout] = meta.alt; }
  lay = layouts[meta.layout];
  function setLayout(name) {
    if (!layouts[name] || lay.layout === name) { return; }
    lay = layouts[name];
    var upd = [];
    DATA.nodes.forEach(function (n) { var p = lay.pos[n.id]; if (p) { upd.push({ id: n.id, x: p[0], y: p[1] }); } });
    nodes.update(upd);
    $("layout").value = name;
    if (!applying) { userMoved = false; fitAll(); }
    saveState();
  }
  if (meta.alt) {
    $("layout-row").hidden = false;
    $("layout").value = meta.layout;
    $("layout").addEventListener("change", function () { setLayout($("layout").value); });
  }
  network.on("beforeDrawing", function (ctx) {
    if (lay.layout !== "stages" || !lay.columns) { return; }
    (function () {
      var meta = lay;
      var top = -70, bottom = meta.lane_y - 30, half = meta.column_width * 0.45;
      ctx.save();
      meta.columns.forEach(function (c, k) {
        ctx.fillStyle = k % 2 ? "rgba(120,120,120,0.05)" : "rgba(120,120,120,0.10)";
        ctx.fillRect(c.x - half, top - 50, 2 * half, bottom - top + 50);
        ctx.fillStyle = "#444444";
        ctx.font = "bold 22px system-ui, sans-serif";
        ctx.textAlign = "center";
        ctx.fillText((k + 1) + ". " + c.en + " / " + c.zh, c.x, top - 16);
        if (k + 1 < meta.columns.length) {
          ctx.fillText("→", (c.x + meta.columns[k + 1].x) / 2, top - 16);
        }
      });
      ctx.textAlign = "left";
      ctx.font = "bold 18px system-ui, sans-serif";
      ctx.fillStyle = "#666666";
      ctx.fillText("Bridge: actors without a stage / 衔接主体（无阶段）", meta.columns[0].x - half, meta.lane_y - 40);
      ctx.restore();
    })();
  });

  // ---- physics (small maps only, bounded) ----------------------------------------------------
  if (meta.physics_allowed && !png) {
    $("physics-row").hidden = false;
    var stopTimer = null;
    $("physics").addEventListener("change", function () {
      var on = $("physics").checked;
      network.setOptions({ physics: { enabled: on } });
      if (stopTimer) { clearTimeout(stopTimer); stopTimer = null; }
      if (on) {
        network.stabilize(150);
        stopTimer = setTimeout(function () { network.stopSimulation(); }, 8000);
      }
    });
  }

  $("reset").addEventListener("click", function () {
    $("search").value = ""; showResults();
    $("region").value = ""; $("alliance").value = "";
    view.shown = null; view.removed = startRemoved();
    if (meta.years) { view.years = null; $("t-from").value = meta.years[0]; $("t-to").value = meta.years[1]; $("t-label").textContent = ""; }
    clearPath();
    highlight([]); showDetails(null); network.unselectAll();
    userMoved = false;
    applyFilters();
    selectionChanged();
  });

  // the whole map in view, with room for labels (and the stage headers and bands)
  function fitAll() {
    var W = container.clientWidth || 800, H = container.clientHeight || 600;
    var pos = network.getPositions();
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    Object.keys(pos).forEach(function (id) {
      if (state.hidden[id]) { return; }
      var p = pos[id], n = nodes.get(id), r = (n && n.size) || 10, lw = n ? n.label.length * 4 : 0;
      minX = Math.min(minX, p.x - r - lw); maxX = Math.max(maxX, p.x + r + lw);
      minY = Math.min(minY, p.y - r); maxY = Math.max(maxY, p.y + r + 24);
    });
    if (lay.layout === "stages" && lay.columns) {
      var half = lay.column_width * 0.45;
      lay.columns.forEach(function (c) { minX = Math.min(minX, c.x - half); maxX = Math.max(maxX, c.x + half); });
      minY = Math.min(minY, -130);
    }
    if (!isFinite(minX)) { network.fit({ animation: false }); return; }
    var scale = Math.min(W / Math.max(maxX - minX, 1), H / Math.max(maxY - minY, 1)) * 0.96;
    network.moveTo({ position: { x: (minX + maxX) / 2, y: (minY + maxY) / 2 }, scale: Math.min(scale, 1.5), animation: false });
  }

  // until the reader moves or zooms, a resized window (or a screenshot viewport) refits
  var userMoved = false;
  network.on("dragStart", function () { userMoved = true; });
  network.on("zoom", function () { userMoved = true; });
  network.on("resize", function () { if (!userMoved) { fitAll(); } });
  window.addEventListener("resize", function () { if (!userMoved) { network.setSize("100%", "100%"); fitAll(); } });
  if (png) { setTimeout(function () { network.setSize("100%", "100%"); fitAll(); network.redraw(); }, 300); }


  // ---- labels in one language or both ------------------------------------------------------
  var lang = "";
  function labelFor(id) {
    var i = info[id] || {}, base = baseLabel[id] !== undefined ? baseLabel[id] : id;
    var zh = i.lz || base, en = i.le || base;
    if (lang === "zh") { return zh; }
    if (lang === "en") { return en; }
    if (lang === "both") { return zh === en ? zh : zh + "\n" + en; }
    return base;
  }
  function setLang(value) {
    lang = value || "";
    $("lang").value = lang;
    document.documentElement.setAttribute("lang", lang === "zh" ? "zh" : "en");
    document.body.setAttribute("data-lang", lang || "given");
    nodes.update(DATA.nodes.map(function (n) { return { id: n.id, label: labelFor(n.id) }; }));
    saveState();
  }
  $("lang").addEventListener("change", function () { setLang($("lang").value); });

  // ---- expand, collapse, only the selection, path ---------------------------------------------
  function visible(id) { return !!info[id] && !state.hidden[id]; }
  function hiddenNeighbours(id) {
    return (adj[id] || []).filter(function (m) { return view.removed[m] || (view.shown && !view.shown[m]); });
  }
  var revealed = {};  // what expanding a node brought back: collapsing it hides that again
  function expand(id) {
    revealed[id] = hiddenNeighbours(id);
    (adj[id] || []).forEach(function (m) {
      delete view.removed[m];
      if (view.shown) { view.shown[m] = true; }
    });
    if (view.shown) { view.shown[id] = true; }
    applyFilters(true);
    selectionChanged();
  }
  // hides what expanding this node brought back, and the neighbours that hang only on it
  // (no other neighbour of theirs is drawn)
  function collapse(id) {
    var sel = {}, back = {};
    network.getSelectedNodes().forEach(function (x) { sel[x] = true; });
    (revealed[id] || []).forEach(function (m) { back[m] = true; });
    delete revealed[id];
    (adj[id] || []).forEach(function (m) {
      if (sel[m] || m === id || !visible(m)) { return; }
      var other = (adj[m] || []).some(function (k) { return k !== id && visible(k); });
      if (back[m] || !other) { view.removed[m] = true; if (view.shown) { delete view.shown[m]; } }
    });
    applyFilters(true);
    selectionChanged();
  }
  function onlySelection(ids) {
    ids = ids || network.getSelectedNodes();
    if (!ids.length) { return; }
    view.shown = {};
    ids.forEach(function (id) { view.shown[id] = true; });
    view.removed = {};
    applyFilters();
    selectionChanged();
  }
  function showAll() {
    view.shown = null; view.removed = {};
    applyFilters();
    selectionChanged();
  }
  // shortest path over every relationship the page holds (either direction)
  function shortestPath(a, b) {
    if (!adj[a] || !adj[b]) { return null; }
    var prev = {}, queue = [a], head = 0;
    prev[a] = null;
    while (head < queue.length) {
      var x = queue[head++];
      if (x === b) { break; }
      (adj[x] || []).forEach(function (m) { if (!(m in prev)) { prev[m] = x; queue.push(m); } });
    }
    if (!(b in prev)) { return null; }
    var out = [];
    for (var y = b; y !== null; y = prev[y]) { out.unshift(y); }
    return out;
  }
  var pathEnds = null;
  function clearPath() {
    if (!pathEnds) { return; }
    pathEnds = null; state.keepEdges = null;
    $("view-note").textContent = "";
  }
  function showPath(a, b) {
    var p = shortestPath(a, b);
    if (!p) {
      $("view-note").textContent = "No path between them on this map / 本图中两者之间没有路径";
      return null;
    }
    pathEnds = [a, b];
    var keep = {}, ke = {};
    p.forEach(function (id) { keep[id] = 2; delete view.removed[id]; if (view.shown) { view.shown[id] = true; } });
    for (var k = 0; k + 1 < p.length; k++) {
      var u = p[k], v = p[k + 1], found = false;
      DATA.edges.forEach(function (e) {
        if (!found && e.match === undefined && ((e.from === u && e.to === v) || (e.from === v && e.to === u))) { ke[e.id] = true; found = true; }
      });
    }
    applyFilters(true);
    network.selectNodes(p);
    if (big) {
      var es = Object.keys(ke).map(function (eid) { var e = edges.get(eid); return [e.from, e.to, false]; });
      var centre = {}; centre[a] = true; centre[b] = true;
      spotlight = { centre: centre, nodes: p, edges: es };
      network.redraw();
    } else {
      state.keep = keep; state.keepEdges = ke;
      restyle();
    }
    network.fit({ nodes: p, animation: false });
    userMoved = true;
    $("view-note").textContent = "Path / 路径: " + p.map(function (id) { return nodes.get(id).label.replace("\n", " "); }).join(" → ") + " (" + (p.length - 1) + " hop(s) / 跳)";
    selectionChanged(true);
    return p;
  }

  // ---- aggregated groups open into their members ---------------------------------------------
  var chainOfClass = {};
  DATA.legend.classes.forEach(function (c) { chainOfClass[c.cls] = c.chain; });
  function toggleGroup(gid) { if (view.opened[gid]) { closeGroup(gid); } else { openGroup(gid); } }
  function openGroup(gid) {
    var g = info[gid] && info[gid].open;
    if (!g || view.opened[gid]) { return; }
    var centre = network.getPositions([gid])[gid];
    var ids = g.m.map(function (r) { return r[0]; });
    var add = [], addE = [];
    g.m.forEach(function (r) {
      if (info[r[0]]) { return; }
      info[r[0]] = { names: [r[1]], cls: r[2], chain: chainOfClass[r[2]] || "bridge", regions: [], alliances: [], props: [["group", "所属组", nodes.get(gid).label]], prov: {}, value: r[5], search: (r[0] + "\n" + r[1]).toLowerCase(), gaps: [], member: gid };
      baseLabel[r[0]] = r[1]; baseFont[r[0]] = 12; adj[r[0]] = [];
      var item = { id: r[0], label: r[1], group: r[2], x: centre.x + r[3], y: centre.y + r[4], size: r[5], font: { size: 12 } };
      add.push(item); DATA.nodes.push(item);
    });
    g.e.forEach(function (pr, k) {
      var a = ids[pr[0]], b = ids[pr[1]], eid = gid + ":e" + k;
      if (einfo[eid]) { return; }
      einfo[eid] = { type: "", en: "relationship inside the group", zh: "组内关系", props: [], prov: {} };
      baseEdge[eid] = { color: EDGE_COLOUR, width: 1 };
      var e = { id: eid, from: a, to: b };
      addE.push(e); DATA.edges.push(e);
      adj[a].push(b); adj[b].push(a);
    });
    add.forEach(function (n) { n.label = labelFor(n.id); });
    (g.x || []).forEach(function (t, k) {
      var a = ids[t[0]], other = "group:" + t[1], eid = gid + ":x" + k;
      if (einfo[eid] || !info[other]) { return; }
      einfo[eid] = { type: "", en: fmt(t[2]) + " relationships to " + nodes.get(other).label, zh: "与该组的关系 " + fmt(t[2]) + " 条", props: [], prov: {} };
      var tie = { color: "rgba(120,120,120,0.35)", highlight: "#555555", hover: "#555555" };
      baseEdge[eid] = { color: tie, width: 1 };
      var e = { id: eid, from: a, to: other, dashes: [4, 4], color: tie, arrows: { to: { enabled: false } } };
      addE.push(e); DATA.edges.push(e);
    });
    nodes.add(add); edges.add(addE);
    view.opened[gid] = true;
    nodes.update({ id: gid, label: baseLabel[gid] + " (open / 已展开: " + fmt(ids.length) + (g.total > ids.length ? " of / 共 " + fmt(g.total) : "") + ")" });
    applyFilters(true);
    network.fit({ nodes: ids.concat([gid]), animation: false });
    userMoved = true;
    selectionChanged();
  }
  function closeGroup(gid) {
    if (!view.opened[gid]) { return; }
    delete view.opened[gid];
    var gone = {};
    DATA.nodes = DATA.nodes.filter(function (n) { if (info[n.id] && info[n.id].member === gid) { gone[n.id] = true; return false; } return true; });
    var goneE = [];
    DATA.edges = DATA.edges.filter(function (e) { if (gone[e.from] || gone[e.to]) { goneE.push(e.id); return false; } return true; });
    edges.remove(goneE);
    nodes.remove(Object.keys(gone));
    Object.keys(gone).forEach(function (id) { delete info[id]; delete adj[id]; delete nodeSig[id]; delete view.removed[id]; });
    goneE.forEach(function (eid) { delete einfo[eid]; delete edgeSig[eid]; });
    nodes.update({ id: gid, label: labelFor(gid) });
    applyFilters();
    selectionChanged();
  }

  // ---- timeline ------------------------------------------------------------------------------
  var playTimer = null;
  if (meta.years) {
    $("timeline").hidden = false;
    ["t-from", "t-to"].forEach(function (k) { $(k).min = meta.years[0]; $(k).max = meta.years[1]; $(k).step = 1; });
    $("t-from").value = meta.years[0]; $("t-to").value = meta.years[1];
  }
  function setYears(lo, hi) {
    if (!meta.years) { return; }
    lo = Math.max(meta.years[0], Math.min(lo, meta.years[1]));
    hi = Math.max(lo, Math.min(hi, meta.years[1]));
    $("t-from").value = lo; $("t-to").value = hi;
    view.years = (lo === meta.years[0] && hi === meta.years[1]) ? null : [lo, hi];
    $("t-label").textContent = lo + " – " + hi;
    applyFilters(true);
  }
  function timeInput() { setYears(Number($("t-from").value), Number($("t-to").value)); }
  $("t-from").addEventListener("input", timeInput);
  $("t-to").addEventListener("input", timeInput);
  $("t-play").addEventListener("click", function () {
    if (playTimer) { clearInterval(playTimer); playTimer = null; return; }
    var lo = Number($("t-from").value), y = lo;
    setYears(lo, y);
    playTimer = setInterval(function () {
      y += 1;
      setYears(lo, y);
      if (y >= meta.years[1]) { clearInterval(playTimer); playTimer = null; }
    }, 600);
  });

  // ---- changed in the last load ------------------------------------------------------------------
  if (meta.changes) {
    var ch = meta.changes, nChanged = 0;
    Object.keys(info).forEach(function (id) { if (info[id].ch === 1) { nChanged += 1; } });
    $("changed-box").hidden = false;
    var tot = ch.totals || {};
    var what = "Last load / 最近一次加载: " + (ch.name || "?") + " (" + (ch.finished || ch.started || "") + "): " +
      fmt(tot.added || 0) + " added / 新增, " + fmt(tot.changed || 0) + " changed / 变更, " + fmt(tot.retracted || 0) + " retracted / 撤回";
    what += ch.known ? "; " + fmt(nChanged) + " of them on this map, ringed in orange / 本图中 " + fmt(nChanged) + " 个（橙色圈）"
      : "; the load log does not name them, so none is ringed / 加载日志未记录具体节点";
    $("changed-note").textContent = what;
    if (!ch.known) { $("show-changed").disabled = true; }
    $("show-changed").addEventListener("change", function () { state.changed = $("show-changed").checked; restyle(); saveState(); });
  }

  // ---- buttons -------------------------------------------------------------------------------
  function selectionChanged(keepPath) {
    var sel = network.getSelectedNodes();
    var one = sel.length === 1 ? sel[0] : null;
    $("expand").disabled = !one || !(hiddenNeighbours(one).length || (info[one] && info[one].open && !view.opened[one]));
    $("collapse").disabled = !one || (!(adj[one] || []).some(visible) && !(info[one] && view.opened[one]));
    $("only").disabled = !sel.length;
    $("path").disabled = sel.length !== 2 && !(keepPath && pathEnds);
    saveState();
  }
  $("expand").addEventListener("click", function () {
    var id = network.getSelectedNodes()[0];
    if (info[id] && info[id].open) { openGroup(id); } else { expand(id); }
  });
  $("collapse").addEventListener("click", function () {
    var id = network.getSelectedNodes()[0];
    if (info[id] && view.opened[id]) { closeGroup(id); } else { collapse(id); }
  });
  $("only").addEventListener("click", function () { onlySelection(); });
  $("path").addEventListener("click", function () {
    var sel = pathEnds || network.getSelectedNodes();
    if (sel.length === 2) { showPath(sel[0], sel[1]); }
  });
  $("show-all").addEventListener("click", showAll);
  $("fit").addEventListener("click", function () { userMoved = false; fitAll(); });
  network.on("select", function () { selectionChanged(); });

  // ---- the view lives in the link (#...) -------------------------------------------------------
  var applying = false, lastHash = null, camTimer = null;
  function stateString() {
    var q = new URLSearchParams();
    if (png) { q.append("png", "1"); }
    if (lang) { q.append("lang", lang); }
    if (lay.layout !== meta.layout) { q.append("layout", lay.layout); }
    Object.keys(chainOn).sort().forEach(function (k) { if (chainOn[k] === false) { q.append("off", "chain:" + k); } });
    Object.keys(classOn).sort().forEach(function (k) { if (classOn[k] === false) { q.append("off", "class:" + k); } });
    if ($("region").value) { q.append("region", $("region").value); }
    if ($("alliance").value) { q.append("alliance", $("alliance").value); }
    if (!$("with-neighbours").checked) { q.append("nb", "0"); }
    if (!state.gaps) { q.append("gaps", "0"); }
    if (!state.matches) { q.append("matches", "0"); }
    if (meta.changes && !state.changed) { q.append("changed", "0"); }
    if (view.years) { q.append("t", view.years[0] + "-" + view.years[1]); }
    Object.keys(view.opened).sort().forEach(function (g) { q.append("open", g); });
    if (view.shown) { Object.keys(view.shown).sort().forEach(function (id) { q.append("only", id); }); }
    Object.keys(view.removed).sort().forEach(function (id) { if (!collapsedAtStart[id]) { q.append("rm", id); } });
    Object.keys(collapsedAtStart).sort().forEach(function (id) { if (!view.removed[id]) { q.append("add", id); } });
    if (pathEnds) { q.append("path", pathEnds[0]); q.append("path", pathEnds[1]); }
    else { network.getSelectedNodes().forEach(function (id) { q.append("sel", id); }); }
    if (userMoved) {
      var c = network.getViewPosition();
      q.append("cam", Math.round(c.x) + "," + Math.round(c.y) + "," + network.getScale().toFixed(3));
    }
    return q.toString();
  }
  function saveState() {
    if (applying || !started) { return; }
    var h = stateString();
    lastHash = h;
    $("share-url").value = location.href.split("#")[0] + (h ? "#" + h : "");
    if (png) { return; }
    try { history.replaceState(null, "", h ? "#" + h : location.pathname + location.search); } catch (err) { /* some viewers forbid it */ }
  }
  function applyState(text) {
    var q = new URLSearchParams(text || "");
    applying = true;
    try {
      DATA.legend.chains.forEach(function (c) { chainOn[c.key] = true; });
      DATA.legend.classes.forEach(function (c) { classOn[c.cls] = true; });
      q.getAll("off").forEach(function (v) {
        var kind = v.split(":")[0], key = v.slice(kind.length + 1);
        if (kind === "chain" && key in chainOn) { chainOn[key] = false; }
        if (kind === "class" && key in classOn) { classOn[key] = false; }
      });
      document.querySelectorAll("#legend-chains [data-chain] input").forEach(function (b) { b.checked = chainOn[b.parentNode.getAttribute("data-chain")] !== false; });
      document.querySelectorAll("#legend-classes [data-class] input").forEach(function (b) { b.checked = classOn[b.parentNode.getAttribute("data-class")] !== false; });
      $("region").value = q.get("region") || ""; $("alliance").value = q.get("alliance") || "";
      $("with-neighbours").checked = q.get("nb") !== "0";
      if ($("show-gaps")) { state.gaps = q.get("gaps") !== "0"; $("show-gaps").checked = state.gaps; }
      if ($("show-matches")) { state.matches = q.get("matches") !== "0"; $("show-matches").checked = state.matches; }
      state.changed = q.get("changed") !== "0"; $("show-changed").checked = state.changed;
      Object.keys(view.opened).forEach(closeGroup);
      q.getAll("open").forEach(function (g) { if (info[g] && info[g].open) { openGroup(g); } });
      var t = (q.get("t") || "").split("-").map(Number);
      if (meta.years && t.length === 2 && isFinite(t[0]) && isFinite(t[1])) { setYears(t[0], t[1]); }
      else if (meta.years) { setYears(meta.years[0], meta.years[1]); }
      var only = q.getAll("only").filter(function (id) { return info[id]; });
      view.shown = null;
      if (only.length) { view.shown = {}; only.forEach(function (id) { view.shown[id] = true; }); }
      view.removed = startRemoved();
      q.getAll("add").forEach(function (id) { delete view.removed[id]; });
      q.getAll("rm").forEach(function (id) { if (info[id]) { view.removed[id] = true; } });
      setLang(q.get("lang") || "");
      setLayout(q.get("layout") || meta.layout);
      applyFilters(true);
      var path = q.getAll("path").filter(function (id) { return info[id]; });
      var sel = q.getAll("sel").filter(function (id) { return info[id]; });
      clearPath();
      if (path.length === 2) { showPath(path[0], path[1]); }
      else if (sel.length) { network.selectNodes(sel); highlight(sel); showDetails(sel[sel.length - 1]); }
      else { network.unselectAll(); highlight([]); showDetails(null); }
      var cam = (q.get("cam") || "").split(",").map(Number);
      if (cam.length === 3 && cam.every(isFinite) && cam[2] > 0) {
        network.moveTo({ position: { x: cam[0], y: cam[1] }, scale: cam[2], animation: false });
        userMoved = true;
      } else if (path.length !== 2) {
        userMoved = false; fitAll();
      }
    } finally {
      applying = false;
    }
    selectionChanged(true);
  }
  window.addEventListener("hashchange", function () {
    var h = location.hash.replace(/^#/, "");
    if (h !== lastHash) { applyState(h); }
  });
  network.on("dragEnd", function () { if (camTimer) { clearTimeout(camTimer); } camTimer = setTimeout(saveState, 250); });
  network.on("zoom", function () { if (camTimer) { clearTimeout(camTimer); } camTimer = setTimeout(saveState, 250); });
  $("share").addEventListener("click", function () {
    saveState();
    var box = $("share-url");
    box.focus(); box.select();
    try { if (navigator.clipboard) { navigator.clipboard.writeText(box.value).catch(function () { return null; }); } } catch (err) { /* no clipboard: the box is selected */ }
  });

  // ---- phones: the panel is a drawer -------------------------------------------------------------
  $("panel-toggle").addEventListener("click", function () {
    var open = document.body.classList.toggle("panel-open");
    $("panel-toggle").setAttribute("aria-expanded", open ? "true" : "false");
  });

  // ---- start ---------------------------------------------------------------------------
  function drawnCounts() {
    var n = 0, e = 0;
    nodes.forEach(function (x) { if (!x.hidden) { n += 1; } });
    edges.forEach(function (x) { if (!x.hidden && !state.hidden[x.from] && !state.hidden[x.to]) { e += 1; } });
    return { nodes: n, edges: e };
  }
  applyFilters(true);
  fitAll();
  var started = true;
  var initial = location.hash.replace(/^#/, "");
  if (png) { initial = initial.replace(/^png(&|$)/, ""); }
  if (!initial && meta.view) { initial = meta.view.replace(/^#/, ""); }
  if (initial) {
    applyState(initial);
  } else if (meta.focus && info[meta.focus]) {
    network.selectNodes([meta.focus]);
    showDetails(meta.focus);
    selectionChanged();
  }
  if (meta.around && meta.around.hubs && meta.around.hubs.length) {
    var nt = $("notice");
    nt.hidden = false;
    nt.appendChild(el("div", null, "Stopped at " + meta.around.hubs.length + " hub(s) (more than " + fmt(meta.around.threshold) + " relationships; their other neighbours are not drawn): " +
      meta.around.hubs.slice(0, 8).map(function (h) { return h[2] + " (" + fmt(h[1]) + ")"; }).join(", ") + ". canal map --through-hubs draws them."));
    nt.appendChild(el("div", "zh", "在枢纽节点处停止展开（关系数超过 " + fmt(meta.around.threshold) + "）：" + meta.around.hubs.slice(0, 8).map(function (h) { return h[2]; }).join("、")));
  }
  window.canalMap = {
    network: network, nodes: nodes, edges: edges, data: DATA, ready: false,
    drawnCounts: drawnCounts, applyFilters: applyFilters, highlight: highlight, select: select, search: search,
    nodeCard: nodeCard, edgeCard: edgeCard, showTip: showTip,
    spotlight: function () { return spotlight; },
    setChain: function (key, on) { chainOn[key] = on; applyFilters(); },
    setClass: function (cls, on) { classOn[cls] = on; applyFilters(); },
    setLang: setLang, setLayout: setLayout, layout: function () { return lay.layout; }, expand: expand, collapse: collapse, onlySelection: onlySelection, showAll: showAll,
    showPath: showPath, shortestPath: shortestPath, openGroup: openGroup, closeGroup: closeGroup, setYears: setYears,
    stateString: stateString, applyState: applyState, fitAll: fitAll,
    selectMany: function (ids) { clearPath(); network.selectNodes(ids); highlight(ids); selectionChanged(); },
    visibleIds: function () { var out = []; nodes.forEach(function (x) { if (!x.hidden) { out.push(x.id); } }); return out.sort(); },
    view: function () { return view; }
  };
  network.once("afterDrawing", function () {
    window.canalMap.ready = true;
    window.canalMap.readyAt = performance.now();
    document.body.setAttribute("data-ready", "1");
  });
  network.redraw();
})();
