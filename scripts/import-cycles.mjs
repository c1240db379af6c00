// Import cycles inside a package's source, between its folders and between its files (tests left out).
// `node scripts/import-cycles.mjs [packages/core/src]` prints each cycle and exits 1 when there is one.
// A folder is the first path segment under the root; files at the root form the folder ".".
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(process.argv[2] ?? "packages/core/src");
const isSource = (file) => /\.tsx?$/.test(file) && !/\.test\.tsx?$/.test(file) && !/\.fixture\.ts$/.test(file);

function listFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full) : isSource(full) ? [full] : [];
  });
}

function resolveImport(from, specifier) {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {}
  }
  return null;
}

const files = listFiles(root);
const fileEdges = new Map(files.map((file) => [file, new Set()]));
const importPattern = /(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"/gs;
for (const file of files) {
  for (const [, specifier] of readFileSync(file, "utf8").matchAll(importPattern)) {
    const target = resolveImport(file, specifier);
    if (target && fileEdges.has(target)) fileEdges.get(file).add(target);
  }
}

const folderOf = (file) => {
  const relative = path.relative(root, file).split(path.sep);
  return relative.length > 1 ? relative[0] : ".";
};
const folderEdges = new Map();
for (const [file, targets] of fileEdges) {
  const from = folderOf(file);
  if (!folderEdges.has(from)) folderEdges.set(from, new Set());
  for (const target of targets) if (folderOf(target) !== from) folderEdges.get(from).add(folderOf(target));
}

/** Strongly connected components with more than one member (Tarjan). */
function cycles(edges) {
  let index = 0;
  const stack = [];
  const state = new Map();
  const found = [];
  const visit = (node) => {
    state.set(node, { index, low: index, onStack: true });
    index += 1;
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (!state.has(next)) {
        visit(next);
        state.get(node).low = Math.min(state.get(node).low, state.get(next).low);
      } else if (state.get(next).onStack) {
        state.get(node).low = Math.min(state.get(node).low, state.get(next).index);
      }
    }
    if (state.get(node).low === state.get(node).index) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        state.get(member).onStack = false;
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return found;
}

const folderCycles = cycles(folderEdges);
const fileCycles = cycles(fileEdges).map((component) => component.map((file) => path.relative(root, file)));
console.log(`${path.relative(process.cwd(), root)}: ${files.length} files, ${folderEdges.size} folders`);
console.log(`folder-level cycles: ${folderCycles.length}`);
for (const component of folderCycles) console.log(`  ${component.join(" ↔ ")}`);
console.log(`file-level cycles: ${fileCycles.length}`);
for (const component of fileCycles) console.log(`  ${component.join(" ↔ ")}`);
process.exit(folderCycles.length + fileCycles.length > 0 ? 1 : 0);
