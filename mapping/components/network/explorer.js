// A small bidirectional Streamlit component around vis-network (shipped inside pyvis).
// Python sends nodes and edges with precomputed positions; clicks come back as
// {kind, id, nonce, view}. Text from data is only ever shown through vis-network's
// plain-string tooltips (innerText) and labels drawn on the canvas: never as HTML.
(function () {
  "use strict";
  var network = null, nodes = null, edges = null, dataKey = null, clicks = 0, height = 0;
  var marking = "";  // sent by the page (model.yaml marking:), never spelled here
  var userMoved = false;  // until the person pans or zooms, keep the whole view in frame
  var statusBox = document.getElementById("status");
  var container = document.getElementById("network");

  function send(type, extra) {
    var message = Object.assign({isStreamlitMessage: true, apiVersion: 1, type: type}, extra || {});
    window.parent.postMessage(message, "*");
  }

  function currentView() {
    if (!network) { return null; }
    var p = network.getViewPosition();
    return {x: p.x, y: p.y, scale: network.getScale()};
  }

  function report(kind, id, extra) {
    clicks += 1;
    var value = Object.assign(
      {kind: kind, id: id, nonce: Date.now() + ":" + clicks, view: currentView()}, extra || {});
    send("streamlit:setComponentValue", {value: value, dataType: "json"});
  }

  // Pins: a dragged entity stays where it was dropped (fixed, out of any physics) until
  // "Release pins"; the page keeps them for the session and sends them back on each redraw.
  var pins = {}, homes = {};
  var releaseButton = document.getElementById("release");
  // Borders and colours already mean something (roles, inferred, harms): a pin changes
  // none of them; the "Release pins (N)" button counts them.
  function pinStyle(on) {
    return on ? {fixed: {x: true, y: true}, physics: false} : {fixed: false};
  }
  function countPins() {
    var n = Object.keys(pins).length;
    releaseButton.disabled = n === 0;
    releaseButton.textContent = n ? "Release pins (" + n + ")" : "Release pins";
    document.body.setAttribute("data-pins", String(n));
  }
  function applyPins(given) {
    pins = {};
    Object.keys(given || {}).forEach(function (id) {
      var node = nodes.get(id), at = given[id];
      if (!node || !at || at.length !== 2) { return; }
      homes[id] = {x: node.x, y: node.y};
      pins[id] = [at[0], at[1]];
      nodes.update(Object.assign({id: id, x: at[0], y: at[1]}, pinStyle(true)));
    });
    countPins();
  }
  function pinDragged(ids) {
    var at = network.getPositions(ids);
    ids.forEach(function (id) {
      if (!(id in at) || String(id).indexOf("cluster:") === 0) { return; }
      pins[id] = [Math.round(at[id].x * 10) / 10, Math.round(at[id].y * 10) / 10];
      nodes.update(Object.assign({id: id, x: pins[id][0], y: pins[id][1]}, pinStyle(true)));
    });
    countPins();
    report("pins", ids[0], {pins: pins});
  }
  function releasePins() {
    Object.keys(pins).forEach(function (id) {
      var home = homes[id];
      nodes.update(Object.assign({id: id}, home || {}, pinStyle(false)));
    });
    pins = {};
    countPins();
    report("pins", "", {pins: {}});
  }
  releaseButton.addEventListener("click", releasePins);

  // The marking line (marking, recipient, review-by date: mapping/marking.py) in bold
  // lines that fit ``room`` pixels: 14 px, or smaller down to 9 px, and only then broken at
  // its " · " separators, so a long recipient never runs off the picture.
  function bandLines(ctx, text, room, ratio) {
    var size = 14;
    function fits(line) {
      ctx.font = "bold " + Math.round(size * ratio) + "px sans-serif";
      return ctx.measureText(line).width <= room;
    }
    while (size > 9 && !fits(text)) { size -= 0.5; }
    var lines = [], line = "";
    text.split(" · ").forEach(function (part) {
      var trial = line ? line + " · " + part : part;
      if (line && !fits(trial)) { lines.push(line); line = part; } else { line = trial; }
    });
    lines.push(line);
    ctx.font = "bold " + Math.round(size * ratio) + "px sans-serif";
    return {size: size, lines: lines};
  }

  // The drawing as seen, on white, with the marking above and the view's note below.
  function savePicture() {
    if (!network) { return; }
    var source = container.querySelector("canvas");
    var ratio = source.width / source.clientWidth;
    var out = document.createElement("canvas");
    out.width = source.width;
    var ctx = out.getContext("2d");
    var fitted = bandLines(ctx, marking, out.width - 16 * ratio, ratio);
    var leading = Math.round(fitted.size * 1.4);
    var top = Math.max(28, fitted.lines.length * leading + 10), bottom = 28;
    out.height = source.height + (top + bottom) * ratio;
    ctx = out.getContext("2d");  // resizing cleared the canvas and its font
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.fillStyle = "#b00020";
    ctx.fillRect(0, 0, out.width, top * ratio);
    ctx.fillStyle = "#ffffff";
    ctx.font = "bold " + Math.round(fitted.size * ratio) + "px sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    var first = (top - (fitted.lines.length - 1) * leading) / 2;
    fitted.lines.forEach(function (line, number) {
      ctx.fillText(line, out.width / 2, (first + number * leading) * ratio);
    });
    ctx.textBaseline = "alphabetic";
    ctx.drawImage(source, 0, top * ratio);
    ctx.fillStyle = "#333333";
    ctx.textAlign = "left";
    ctx.font = Math.round(12 * ratio) + "px sans-serif";
    ctx.fillText(statusBox.textContent.slice(0, 200), 6 * ratio, out.height - 9 * ratio);
    var link = document.createElement("a");
    link.href = out.toDataURL("image/png");
    link.download = "network-view.png";
    document.body.appendChild(link);
    link.click();
    link.remove();
    report("export", "png");  // recorded in the audit log by the page
  }
  document.getElementById("save").addEventListener("click", savePicture);

  // Labels left off to keep the drawing legible come back once zoomed in twice as close.
  var fitScale = 1, allLabels = false;
  function showLabelsWhenClose() {
    var close = network.getScale() >= 2 * fitScale;
    if (close === allLabels) { return; }
    allLabels = close;
    var changed = nodes.get({filter: function (n) { return n.fullLabel !== undefined; }})
      .map(function (n) { return {id: n.id, label: close ? n.fullLabel : ""}; });
    if (changed.length) { nodes.update(changed); }
  }
  function fitAll() {
    network.fit({animation: false});
    fitScale = network.getScale();
    allLabels = true;
    showLabelsWhenClose();
  }

  function build(args) {
    nodes = new vis.DataSet(args.nodes);
    edges = new vis.DataSet(args.edges);
    var options = {
      physics: false, autoResize: true, layout: {improvedLayout: false},
      // Keys act while the drawing has focus (Tab to it): arrows pan, + and - zoom.
      interaction: {hover: true, tooltipDelay: 150, multiselect: false,
                    hideEdgesOnDrag: args.nodes.length > 500, navigationButtons: false,
                    keyboard: {enabled: true, bindToWindow: false, autoFocus: false,
                               speed: {x: 10, y: 10, zoom: 0.03}}},
      // On big maps labels under 9 px on screen are not drawn: zoomed out, it stays legible.
      nodes: {shapeProperties: {interpolation: false},
              scaling: {label: {drawThreshold: args.nodes.length > 150 ? 9 : 3}}},
      edges: {smooth: false}
    };
    if (network) { network.destroy(); }
    network = new vis.Network(container, {nodes: nodes, edges: edges}, options);
    window.explorerNetwork = network;  // for end-to-end tests: where a node is drawn
    // vis-network's own frame takes the focus (Tab or a click); say what the keys do
    var frame = container.querySelector(".vis-network");
    if (frame) {
      frame.setAttribute("role", "application");
      frame.setAttribute("data-testid", "explorer-canvas");
      frame.setAttribute("aria-label", "Network drawing. Arrow keys pan, plus and minus " +
        "zoom; drag an entity to pin it; Tab moves on to the buttons.");
    }
    homes = {};
    network.on("dragStart", function (event) {
      event.nodes.forEach(function (id) {
        if (!(id in homes)) { var n = nodes.get(id); if (n) { homes[id] = {x: n.x, y: n.y}; } }
      });
    });
    network.on("dragEnd", function (event) {
      if (!event.nodes.length) { userMoved = true; } else { pinDragged(event.nodes); }
    });
    network.on("zoom", function () { userMoved = true; showLabelsWhenClose(); });
    network.on("resize", function () { if (!userMoved) { fitAll(); } });
    network.on("click", function (event) {
      if (event.nodes.length) { report("node", event.nodes[0]); }
      else if (event.edges.length) { report("edge", event.edges[0]); }
    });
    network.once("afterDrawing", function () {
      container.setAttribute("data-drawn", String(args.nodes.length));
      document.body.setAttribute("data-drawn", String(args.nodes.length));
    });
  }

  function applyView(args) {
    if (args.view && typeof args.view.scale === "number") {
      userMoved = true;
      network.fit({animation: false});
      fitScale = network.getScale();
      network.moveTo({position: {x: args.view.x, y: args.view.y}, scale: args.view.scale,
                      animation: false});
      allLabels = true;
      showLabelsWhenClose();
    } else {
      userMoved = false;
      fitAll();
    }
  }

  function render(args) {
    if (args.height !== height) {
      height = args.height;
      container.style.height = height + "px";
      send("streamlit:setFrameHeight", {height: height + 24});
    }
    if (args.data_key !== dataKey) {
      var first = dataKey === null;
      dataKey = args.data_key;
      build(args);
      applyPins(args.pins);
      if (first) { applyView(args); }
      else { userMoved = false; fitAll(); }
    }
    if (args.selected && nodes.get(args.selected)) {
      network.selectNodes([args.selected]);
    } else if (args.selected && edges.get(args.selected)) {
      network.setSelection({nodes: [], edges: [args.selected]});
    } else { network.unselectAll(); }
    statusBox.textContent = args.status || "";
    if (args.marking) { marking = args.marking; }
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (data && data.type === "streamlit:render") { render(data.args); }
  });
  send("streamlit:componentReady");
})();
