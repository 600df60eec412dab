// What the shipped .wasm is made of. The binding is one crate built as one
// module per family (build.sh, core/wasm's features): `start` (validating the
// worker's messages, read on every wake-up), `connect` (everything the
// handlers run on), `crm` (the CRM's rules, loaded on first CRM use), `send`
// (the outbox and the providers' send and lookup, loaded on first send use or
// outbox alarm), `compose` (templates, HTML sanitising, MIME, loaded when an
// email is saved or sent) and `mail` (parse, summarize, build: built for the
// bench and tests, shipped once a feature reads email). moduleSizes() measures each optimised
// module, raw and gzip -9, the shipped total (every module in dist/wasm) and
// the wake-up module (`start`) alone.
// The shipped modules have no names (wasm-opt drops them), so contributors are
// read from a release module before wasm-bindgen and wasm-opt
// (build/wasm-named/, copied there by build.sh; same code, with its `name`
// section): function body bytes per crate and per function, plus the data
// segments (tables, strings). Shares there approximate the shipped module's.
import fs from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const FAMILIES = ['start', 'connect', 'crm', 'send', 'compose', 'mail'];
/** The module every wake-up of the worker reads. */
export const WAKE_UP = 'start';
// The largest shipped module: the one contributors are read from.
export const NAMED_WASM = `${ROOT}build/wasm-named/inlay_connect.wasm`;

/** { path, rawBytes, gzipBytes } of a module's bytes (gzip -9: about what it adds to the packed extension). */
export function moduleSize(path, bytes) {
  return { path, rawBytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
}

/**
 * Every family's module ({family, shipped, path, rawBytes, gzipBytes}), the
 * shipped total (what dist/wasm holds) as rawBytes / gzipBytes, and wakeUp:
 * the module read on every wake-up ({family, rawBytes, gzipBytes} or null).
 */
export function moduleSizes() {
  const modules = FAMILIES.filter((f) => fs.existsSync(`${ROOT}build/wasm/inlay_${f}_bg.wasm`)).map((family) => ({
    family,
    shipped: fs.existsSync(`${ROOT}dist/wasm/inlay_${family}_bg.wasm`),
    ...moduleSize(`build/wasm/inlay_${family}_bg.wasm`, fs.readFileSync(`${ROOT}build/wasm/inlay_${family}_bg.wasm`)),
  }));
  const shipped = modules.filter((m) => m.shipped);
  const sum = (key) => shipped.reduce((a, m) => a + m[key], 0);
  const wake = modules.find((m) => m.family === WAKE_UP);
  const wakeUp = wake ? { family: wake.family, rawBytes: wake.rawBytes, gzipBytes: wake.gzipBytes } : null;
  return { path: `dist/wasm (${shipped.map((m) => m.family).join(' + ')})`, rawBytes: sum('rawBytes'), gzipBytes: sum('gzipBytes'), modules, wakeUp };
}

function reader(bytes) {
  let pos = 0;
  const u32 = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++];
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
      shift += 7;
    }
  };
  return { u32, get pos() { return pos; }, set pos(p) { pos = p; }, name: () => { const n = u32(); const s = Buffer.from(bytes.subarray(pos, pos + n)).toString('utf8'); pos += n; return s; } };
}

/** Sections, the imported-function count, function body sizes and names. */
function readModule(bytes) {
  const r = reader(bytes);
  r.pos = 8; // magic + version
  const sections = [];
  let importedFunctions = 0;
  const bodies = [];
  const names = new Map();
  while (r.pos < bytes.length) {
    const id = bytes[r.pos++];
    const size = r.u32();
    const start = r.pos;
    const end = start + size;
    let custom = null;
    if (id === 0) custom = r.name();
    sections.push({ id, custom, size: end - start + 1 });
    if (id === 2) { // imports: count the functions, whose indices come first
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        r.name(); r.name();
        const kind = bytes[r.pos++];
        if (kind === 0) { r.u32(); importedFunctions++; } else if (kind === 1) { r.pos++; const f = r.u32(); r.u32(); if (f & 1) r.u32(); } else if (kind === 2) { const f = r.u32(); r.u32(); if (f & 1) r.u32(); } else if (kind === 3) { r.pos += 2; } else r.pos++;
      }
    } else if (id === 10) { // code
      const n = r.u32();
      for (let i = 0; i < n; i++) { const len = r.u32(); bodies.push(len); r.pos += len; }
    } else if (custom === 'name') {
      while (r.pos < end) {
        const sub = bytes[r.pos++];
        const len = r.u32();
        const subEnd = r.pos + len;
        if (sub === 1) { const n = r.u32(); for (let i = 0; i < n; i++) { const idx = r.u32(); names.set(idx, r.name()); } }
        r.pos = subEnd;
      }
    }
    r.pos = end;
  }
  return { sections, importedFunctions, bodies, names };
}

// Rust symbol → crate: legacy mangling `_ZN<len><crate>…`; for `<A as B>::f`
// the crate of A (a serde impl monomorphised for a core type counts as the
// serializer's); symbols without a Rust path (memcpy) are "(other)".
export function crateOf(name) {
  // v0 mangling (the precompiled std): the first crate root `Cs<hash>_<len><name>`.
  const v0 = /^_R.*?C(?:s[0-9A-Za-z]*_)?(\d+)([A-Za-z_]\w*)/.exec(name);
  if (v0) return v0[2].slice(0, Number(v0[1]));
  const m = /^_ZN(\d+)(.*)/.exec(name);
  if (!m) return '(other)';
  const path = m[2].slice(0, Number(m[1])).replace(/^_?(\$LT\$|\$RF\$|mut\$u20\$|dyn\$u20\$|impl\$u20\$|\$u5b\$|\$BP\$|const\$u20\$)+/g, '');
  const crate = path.split(/\.\.|\$/)[0];
  return /^[A-Za-z_][\w]*$/.test(crate) ? crate : '(other)';
}

function demangle(name) {
  const m = /^_ZN(.*)17h[0-9a-f]{16}E$/.exec(name);
  if (!m) return name;
  const parts = [];
  let rest = m[1];
  while (rest.length) {
    const len = /^(\d+)/.exec(rest);
    if (!len) break;
    const n = Number(len[1]);
    parts.push(rest.slice(len[1].length, len[1].length + n));
    rest = rest.slice(len[1].length + n);
  }
  return parts.join('::').replace(/\$LT\$/g, '<').replace(/\$GT\$/g, '>').replace(/\$u20\$/g, ' ').replace(/\$RF\$/g, '&').replace(/\.\./g, '::');
}

const SECTION = { 1: 'type', 2: 'import', 3: 'function', 5: 'memory', 6: 'global', 7: 'export', 10: 'code', 11: 'data' };

/**
 * Code bytes per crate of one family's named module ({crate: bytes}), or
 * null when it was not built: e.g. that the HTML stack (ammonia, html5ever,
 * cssparser) is in `compose` only.
 */
export function crateBytes(family) {
  const path = `${ROOT}build/wasm-named/inlay_${family}.wasm`;
  if (!fs.existsSync(path)) return null;
  const { importedFunctions, bodies, names } = readModule(fs.readFileSync(path));
  const perCrate = {};
  bodies.forEach((len, i) => {
    const crate = crateOf(names.get(importedFunctions + i) ?? '');
    perCrate[crate] = (perCrate[crate] ?? 0) + len;
  });
  return perCrate;
}

/** The crates of compose's HTML handling, kept out of every module an alarm or a wake-up reads. */
export const HTML_STACK = ['ammonia', 'html5ever', 'markup5ever', 'cssparser'];

/** The families whose named module has code of the HTML stack (expected: compose only). */
export function htmlStackIn() {
  return FAMILIES.filter((f) => {
    const crates = crateBytes(f);
    return crates && HTML_STACK.some((c) => crates[c]);
  });
}

/**
 * { namedModule, sections: [{name, bytes}], crates: [{crate, bytes, share}], functions: [{name, bytes}] }
 * or { skipped } when the named module is not there.
 */
export function sizeContributors({ top = 12 } = {}) {
  if (!fs.existsSync(NAMED_WASM)) return { skipped: `no ${NAMED_WASM}: ./build.sh makes it` };
  const bytes = fs.readFileSync(NAMED_WASM);
  const { sections, importedFunctions, bodies, names } = readModule(bytes);
  const code = bodies.reduce((a, b) => a + b, 0);
  const perCrate = new Map();
  const fns = bodies.map((len, i) => {
    const name = names.get(importedFunctions + i) ?? `function ${importedFunctions + i}`;
    const crate = crateOf(name);
    perCrate.set(crate, (perCrate.get(crate) ?? 0) + len);
    return { name: demangle(name), bytes: len };
  });
  const share = (b) => Math.round((1000 * b) / code) / 10;
  return {
    namedModule: moduleSize('build/wasm-named/inlay_connect.wasm', bytes),
    sections: sections.filter((s) => s.id !== 0 || s.custom !== 'name').map((s) => ({ name: s.custom ? `custom ${s.custom}` : SECTION[s.id] ?? `section ${s.id}`, bytes: s.size }))
      .sort((a, b) => b.bytes - a.bytes).slice(0, 6),
    codeBytes: code,
    crates: [...perCrate].map(([crate, b]) => ({ crate, bytes: b, share: share(b) })).sort((a, b) => b.bytes - a.bytes).slice(0, top),
    functions: fns.sort((a, b) => b.bytes - a.bytes).slice(0, top).map((f) => ({ ...f, share: share(f.bytes) })),
  };
}
