// Load a Cytoscape.js JSON export headlessly and print what cytoscape made of it as JSON.
// Usage: node tests/node/load_cyjs.mjs FILE. Exit 1 if an element was dropped or refused.
import { readFileSync } from "node:fs";
import cytoscape from "cytoscape";

const doc = JSON.parse(readFileSync(process.argv[2], "utf8"));
const warnings = [];
const origWarn = console.warn, origError = console.error;
console.warn = (...a) => warnings.push(a.join(" "));
console.error = (...a) => warnings.push(a.join(" "));
const cy = cytoscape({
  headless: true, styleEnabled: false, elements: doc.elements, layout: { name: "preset" },
});
console.warn = origWarn; console.error = origError;

const positions = {};
cy.nodes().forEach((n) => { positions[n.id()] = n.position(); });
const edges = {};
cy.edges().forEach((e) => { edges[e.id()] = { source: e.source().id(), target: e.target().id(), data: e.data() }; });
const nodes = {};
cy.nodes().forEach((n) => { nodes[n.id()] = n.data(); });
const summary = {
  version: cytoscape.version, nodes: cy.nodes().length, edges: cy.edges().length,
  expected_nodes: doc.elements.nodes.length, expected_edges: doc.elements.edges.length,
  components: cy.elements().components().length, warnings, positions, node_data: nodes,
  edge_data: edges, metadata: doc.data,
};
process.stdout.write(JSON.stringify(summary));
const ok = summary.nodes === summary.expected_nodes && summary.edges === summary.expected_edges
  && warnings.length === 0;
process.exit(ok ? 0 : 1);
