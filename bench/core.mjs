// Inlay's core, through its real wasm-bindgen JS binding (`--target web` output,
// made by ./build.sh): the binding's mail module (build/wasm/inlay_mail_bg.wasm:
// parse, summarize, build; see size.mjs for the module family), driven by its glue.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURE } from './fixture.mjs';
import { moduleSize } from './size.mjs';

const GLUE_CANDIDATES = ['../build/wasm/inlay_mail.js'].map((p) => new URL(p, import.meta.url));
export const WASM_FILE = new URL('../build/wasm/inlay_mail_bg.wasm', import.meta.url);
export const WASM_PATH = fileURLToPath(WASM_FILE);

export class CoreMissingError extends Error {}

// The draft exactly as core/src/message/draft.rs expects it (serde, camelCase,
// deny_unknown_fields; attachment bytes as a Uint8Array, date in Unix seconds).
// Built once, like the peer's options: the loop measures building plus the
// binding's JS -> Rust conversion of this object, which is part of the real cost.
function draftFromFixture(f) {
  return {
    from: f.from,
    to: f.to,
    subject: f.subject,
    text: f.text,
    html: f.html,
    attachments: [{ filename: f.attachment.filename, contentType: f.attachment.contentType, bytes: f.attachment.bytes }],
    messageId: f.messageId,
    date: Math.floor(f.date.getTime() / 1000),
  };
}

/**
 * Loads and instantiates the module. Returns the contenders plus the load facts;
 * throws CoreMissingError when the build output is not there.
 */
export async function loadCore() {
  const glue = GLUE_CANDIDATES.find((u) => fs.existsSync(u));
  if (!glue || !fs.existsSync(WASM_FILE)) {
    throw new CoreMissingError(`no ${glue ? WASM_PATH : 'build/wasm/inlay_mail.js'}: build the extension first: ./build.sh`);
  }
  const binding = await import(glue.href);
  // The brief names them parse_message/build_message; the crate's other exports use
  // camelCase js_names (parseRequest), so accept either spelling.
  const parseMessage = binding.parse_message ?? binding.parseMessage;
  const summarizeMessage = binding.summarizeMessage;
  const buildMessage = binding.build_message ?? binding.buildMessage;
  for (const [name, fn] of [['initSync', binding.initSync], ['parse_message', parseMessage], ['summarizeMessage', summarizeMessage], ['build_message', buildMessage], ['version', binding.version]]) {
    if (typeof fn !== 'function') throw new CoreMissingError(`${fileURLToPath(glue)} has no ${name}(): build the extension first: ./build.sh`);
  }
  const bytes = fs.readFileSync(WASM_FILE);
  const t0 = process.hrtime.bigint();
  binding.initSync({ module: bytes }); // compile + instantiate, what a cold service worker pays
  const initMs = Number(process.hrtime.bigint() - t0) / 1e6;

  const draft = draftFromFixture(FIXTURE);
  const label = 'core (wasm)';
  return {
    version: binding.version(),
    size: moduleSize('build/wasm/inlay_mail_bg.wasm', bytes), // of the very bytes measured, even if rebuilt mid-run
    glue: path.relative(fileURLToPath(new URL('..', import.meta.url)), fileURLToPath(glue)),
    initMs,
    parser: {
      name: 'core',
      label,
      parse: (msg) => parseMessage(msg.bytes),
      subject: (r) => r.subject,
    },
    // The lean reading sync uses (issue 9): the top header block only, no body parse.
    leanParser: {
      name: 'core-lean',
      label: 'core lean (wasm)',
      parse: (msg) => summarizeMessage(msg.bytes),
      subject: (r) => r.subject,
    },
    builder: {
      name: 'core',
      label,
      build: () => buildMessage(draft),
    },
  };
}
