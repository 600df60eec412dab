// The extension's modules import each other without a cycle (type-only
// imports included): a circle makes every file in it depend on all the
// others, which is how the worker once had eight files no one could read
// alone. Reads the sources from the repository root, where the tests run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

const ROOT = "extension/src";

/** Every `from "./…"` and `import("./…")` of a source file, as paths of other source files. */
function importsOf(file: string, files: Set<string>): string[] {
  const source = readFileSync(file, "utf8");
  const specs = [...source.matchAll(/\bfrom\s+"(\.[^"]+)"|\bimport\(\s*"(\.[^"]+)"\s*\)/g)].map((m) => m[1] ?? m[2] ?? "");
  return specs
    .map((spec) => normalize(join(dirname(file), spec)).replace(/\.js$/, ""))
    .flatMap((base) => [`${base}.ts`, `${base}.tsx`].filter((candidate) => files.has(candidate)));
}

/** The first import cycle found, as the files around it, or null. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string): string[] | null => {
    const at = path.indexOf(file);
    if (at >= 0) return [...path.slice(at), file];
    if (done.has(file)) return null;
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(file);
    return null;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return null;
}

test("the extension's modules form no import cycle", () => {
  const files = new Set(
    readdirSync(ROOT, { recursive: true, encoding: "utf8" })
      .filter((name) => /\.tsx?$/.test(name))
      .map((name) => normalize(join(ROOT, name))),
  );
  assert.ok(files.size > 20, `found only ${files.size} source files under ${ROOT}; run the tests from the repository root`);
  const graph = new Map([...files].map((file) => [file, importsOf(file, files)]));
  const cycle = findCycle(graph);
  assert.equal(cycle, null, `import cycle: ${cycle?.map((f) => relative(ROOT, f)).join(" → ")}`);
});

test("findCycle names the files around a circle, and finds none without one", () => {
  const graph = new Map([
    ["a.ts", ["b.ts"]],
    ["b.ts", ["c.ts"]],
    ["c.ts", ["a.ts"]],
  ]);
  assert.deepEqual(findCycle(graph), ["a.ts", "b.ts", "c.ts", "a.ts"]);
  assert.equal(findCycle(new Map([["a.ts", ["b.ts"]], ["b.ts", []]])), null);
});
