// Draws a child's network with cytoscape.js from the JSON endpoint named on the container.
// No inline script: the page names the data URL in data-graph-url (strict CSP).
(function () {
  "use strict";

  var COLOURS = {
    child: "#1d70b8",
    adult: "#f47738",
    person: "#6f72af",
    hidden: "#f3f2f1"
  };

  function colourFor(kind) {
    return COLOURS[kind] || "#00703c"; // contexts: places, online spaces, peer groups
  }

  function shapeFor(kind) {
    if (kind === "child" || kind === "adult" || kind === "person") return "ellipse";
    if (kind === "hidden") return "round-rectangle";
    if (kind === "online_space") return "diamond";
    if (kind === "peer_group") return "hexagon";
    return "rectangle";
  }

  function draw(container, data) {
    var cy = window.cytoscape({
      container: container,
      elements: { nodes: data.nodes, edges: data.edges },
      style: [
        {
          selector: "node",
          style: {
            label: "data(label)",
            "background-color": function (n) { return colourFor(n.data("kind")); },
            shape: function (n) { return shapeFor(n.data("kind")); },
            "font-size": 11,
            "text-valign": "bottom",
            "text-margin-y": 4,
            "text-wrap": "wrap",
            "text-max-width": 120,
            width: 26,
            height: 26,
            "border-width": 1,
            "border-color": "#0b0c0c"
          }
        },
        { selector: "node[?root]", style: { width: 40, height: 40, "border-width": 3, "font-weight": "bold" } },
        { selector: "node[?of_concern]", style: { "border-width": 5, "border-color": "#d4351c" } },
        { selector: "node[kind = 'hidden']", style: { "border-style": "dashed", color: "#505a5f" } },
        {
          selector: "edge",
          style: {
            width: 2,
            "line-color": "#b1b4b6",
            label: "data(label)",
            "font-size": 9,
            color: "#505a5f",
            "text-rotation": "autorotate",
            "curve-style": "bezier"
          }
        },
        { selector: "edge[nature = 'exploited_by']", style: { "line-color": "#d4351c", width: 3 } },
        { selector: "edge[confidence = 'possible']", style: { "line-style": "dashed" } },
        { selector: "edge[nature = 'hidden'], edge[nature = 'more']", style: { "line-style": "dotted" } },
        { selector: "edge[count > 1]", style: { width: function (e) { return Math.min(2 + e.data("count"), 8); } } }
      ],
      layout: {
        name: "concentric",
        concentric: function (n) { return 3 - n.data("hop"); },
        levelWidth: function () { return 1; },
        minNodeSpacing: 30,
        animate: false
      }
    });
    // Then let the built-in force-directed layout spread it out from those rings
    // (no randomness: the same network is drawn the same way).
    cy.layout({
      name: "cose",
      randomize: false,
      animate: false,
      nodeRepulsion: function () { return 400000; },
      idealEdgeLength: function () { return 80; },
      edgeElasticity: function () { return 60; },
      nodeOverlap: 20,
      gravity: 0.5,
      padding: 30
    }).run();
    cy.on("tap", "node", function (event) {
      var url = event.target.data("url");
      if (url) window.location.assign(url);
    });
    container.sightlineNetwork = cy; // for click-through tests and keyboard helpers
    container.setAttribute("data-network-ready", "true");
    container.setAttribute("data-node-count", String(data.nodes.length));
    return cy;
  }

  function start() {
    var container = document.querySelector("[data-graph-url]");
    if (!container || !window.cytoscape) return;
    fetch(container.getAttribute("data-graph-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        if (!response.ok) throw new Error("The network could not be loaded (" + response.status + ").");
        return response.json();
      })
      .then(function (data) { draw(container, data); })
      .catch(function (error) {
        container.textContent = error.message;
        container.setAttribute("data-network-ready", "error");
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
