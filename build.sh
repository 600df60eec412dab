#!/usr/bin/env bash
# Inlay's one entry point.
#   ./build.sh          install what is missing, build dist/ and dist/inlay-<version>.zip
#   ./build.sh test     build, then run every test tier; stops at the first failing tier
#   ./build.sh demo     build, start the local sandbox and open Chromium with Inlay loaded
#   ./build.sh bench    build, then run the benchmarks (figures, not pass/fail)
#   ./build.sh fuzz [S] explore: each of the core's fuzz targets for S seconds (default 300), random seed
#   ./build.sh types    regenerate the binding's TypeScript types from the Rust types (commit them)
set -euo pipefail

cd "$(dirname "$0")"
ROOT=$PWD
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# Pinned tools: the `wasm-bindgen` crate in core/wasm/Cargo.toml must equal the CLI version.
WASM_BINDGEN_VERSION=0.2.130
WASM_PACK_VERSION=0.15.1
CARGO_DENY_VERSION=0.20.2
CHROMIUM=/usr/lib/chromium/chromium
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- installs ---

ensure_wasm_target() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown && return
  step "Installing the wasm32-unknown-unknown Rust target"
  rustup target add wasm32-unknown-unknown
}

# ensure_cargo_tool BINARY CRATE VERSION
ensure_cargo_tool() {
  local bin=$1 crate=$2 version=$3
  if command -v "$bin" >/dev/null && "$bin" --version 2>/dev/null | grep -q "$version"; then return; fi
  step "Installing $crate $version (a few minutes, once)"
  # --locked first; the registry mirror here lacks some locked versions
  # (wasm-bindgen-cli 0.2.130 pins webpki-roots 1.0.11), so fall back to a
  # fresh resolution of the same crate version.
  cargo install "$crate" --version "$version" --locked || cargo install "$crate" --version "$version"
}

ensure_npm() {
  command -v node >/dev/null || die "Node.js 20+ is required (apt-get install nodejs npm)"
  if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then return; fi
  step "Installing npm packages from package-lock.json"
  npm ci --no-audit --no-fund
}

apt_install() {
  step "Installing $* with apt"
  [ "$(id -u)" = 0 ] || die "installing $* needs root (or install it yourself: apt-get install $*)"
  if [ ! -f /tmp/.inlay-apt-updated ]; then apt-get update -qq && touch /tmp/.inlay-apt-updated; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_chromium() {
  [ -x "$CHROMIUM" ] || apt_install chromium
  [ -x "$CHROMIUM" ] || die "Chromium was not found at $CHROMIUM after installing"
}

ensure_cargo_deny() { ensure_cargo_tool cargo-deny cargo-deny "$CARGO_DENY_VERSION"; }

install_all() {
  ensure_wasm_target
  ensure_cargo_tool wasm-bindgen wasm-bindgen-cli "$WASM_BINDGEN_VERSION"
  ensure_cargo_tool wasm-pack wasm-pack "$WASM_PACK_VERSION"
  ensure_npm
}

# ------------------------------------------------------------------ builds ---

build_wasm() {
  step "Building the core to WebAssembly"
  # core/wasm is a workspace of its own (its lock, its target dir
  # core/wasm/target): the lock pins the ASCII-only idna_adapter, so the
  # module has no ICU tables and the browser's URL parser does IDNA.
  # One crate, one module per family (its Cargo feature): each module exports
  # only its family and LTO drops the rest, so a wake-up reads only `start`.
  # build/wasm-named keeps each module with its names for bench/size.mjs.
  # --mode no-install: never let wasm-pack fetch or install a different wasm-bindgen.
  rm -rf build/wasm build/wasm-named && mkdir -p build/wasm-named
  local family
  for family in "${WASM_FAMILIES[@]}"; do
    wasm-pack --quiet build core/wasm --target web --release --mode no-install --no-pack \
      --out-dir "$ROOT/build/wasm" --out-name "inlay_$family" -- --no-default-features --features "$family"
    cp "${CARGO_TARGET_DIR:-core/wasm/target}/wasm32-unknown-unknown/release/inlay_wasm.wasm" "build/wasm-named/inlay_$family.wasm"
    # binaryen from npm (Debian's 108 breaks the module; see docs/ARCHITECTURE.md).
    # --converge repeats -Oz until the module stops shrinking (-2 KB gzip, once
    # more than a single pass); the producers section only names the toolchain.
    wasm-opt -Oz --converge --strip-producers "build/wasm/inlay_${family}_bg.wasm" -o "build/wasm/inlay_${family}_bg.wasm"
  done
  check_wasm_lock
}

# The binding's modules (core/wasm's features). The worker loads start and
# connect, crm on first CRM use, send (the outbox, the providers' send and
# lookup) on first send use or outbox alarm, and compose (templates, HTML
# sanitising, MIME) only when an email is saved or sent; mail (parse,
# summarize, build) is built for the bench, the differential check and the
# unit tests, and ships with the first feature that reads email.
WASM_FAMILIES=(start connect mail crm send compose)
SHIPPED_WASM=(start connect crm send compose)

# A `cargo update` in core/wasm that moved idna_adapter off 1.0.x would bring
# ICU's tables back into the module (about 50 KB gzip) without a word.
check_wasm_lock() {
  grep -A1 '^name = "idna_adapter"$' core/wasm/Cargo.lock | grep -q '^version = "1\.0\.' ||
    die "core/wasm/Cargo.lock must keep idna_adapter 1.0.x (IDNA through the browser): cd core/wasm && cargo update -p idna_adapter --precise 1.0.0"
}

# The TypeScript types of what crosses the binding are generated from the
# Rust types by ts-rs (inlay-core's `ts` feature, never part of the module):
# each `#[ts(export)]` type gets a test that writes its file. `./build.sh
# types` writes them to TYPES_DIR; every build writes them aside and stops if
# the committed files differ (stale or edited by hand), then tsc checks the
# shell against them.
TYPES_DIR=extension/src/background/core/generated
generate_types() {
  local dir=$1
  rm -rf "$dir" && mkdir -p "$dir" build
  # .cargo/config.toml sets the rest of ts-rs's settings (u64 as number).
  TS_RS_EXPORT_DIR="$ROOT/$dir" cargo test --quiet -p inlay-core --features ts --lib export_bindings -- --test-threads=1 >build/ts-types.log 2>&1 ||
    { cat build/ts-types.log >&2; die "generating the binding's TypeScript types failed"; }
}

check_types() {
  step "Checking the binding's generated TypeScript types"
  generate_types build/ts-types
  diff -r build/ts-types "$TYPES_DIR" >&2 ||
    die "$TYPES_DIR does not match the Rust types (stale, or edited by hand): run ./build.sh types and commit the result"
}

build_ts() {
  check_types
  step "Type-checking and bundling the extension"
  tsc -p tsconfig.json
  local common=(--bundle --target=chrome120 --log-level=warning --legal-comments=none --jsx=automatic --jsx-import-source=preact)
  esbuild extension/src/background/worker.ts --format=esm --outfile=dist/background.js "${common[@]}"
  esbuild extension/src/popup/popup.tsx --format=esm --outfile=dist/popup.js "${common[@]}"
  esbuild extension/src/app/app.tsx --format=esm --outfile=dist/app.js "${common[@]}"
  # Content scripts are classic scripts: no module syntax.
  esbuild extension/src/content/gmail.ts --format=iife --outfile=dist/content/gmail.js "${common[@]}"
  esbuild extension/src/content/outlook.ts --format=iife --outfile=dist/content/outlook.js "${common[@]}"
}

assemble() {
  step "Assembling dist/"
  cp manifest.json dist/manifest.json
  cp -r extension/static/. dist/
  # The IMAP form links to the helper's install guide, shipped inside the extension.
  cp bridge/README.md dist/mail-helper.txt
  mkdir -p dist/wasm
  local family
  for family in "${SHIPPED_WASM[@]}"; do cp "build/wasm/inlay_${family}_bg.wasm" dist/wasm/; done
  write_config
  rm -f dist/inlay-*.zip
  (cd dist && python3 -m zipfile -c "inlay-$VERSION.zip" $(ls | grep -v '\.zip$'))
}

# OAuth client IDs are build-time settings (or admin policy), never in the source:
# INLAY_CONFIG names a JSON file, else INLAY_GOOGLE_CLIENT_ID, INLAY_GOOGLE_CLIENT_SECRET
# and INLAY_MICROSOFT_CLIENT_ID are read. `test` and `demo` use the sandbox's registration.
write_config() {
  if [ -n "${INLAY_CONFIG:-}" ]; then
    python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1])), open("dist/config.json","w"), indent=2)' "$INLAY_CONFIG"
  else
    python3 - <<'PY'
import json, os
names = {"googleClientId": "INLAY_GOOGLE_CLIENT_ID", "googleClientSecret": "INLAY_GOOGLE_CLIENT_SECRET",
         "microsoftClientId": "INLAY_MICROSOFT_CLIENT_ID"}
config = {k: os.environ[v] for k, v in names.items() if os.environ.get(v)}
json.dump(config, open("dist/config.json", "w"), indent=2)
PY
  fi
}

build_all() {
  install_all
  rm -rf dist && mkdir -p dist build
  build_wasm
  build_ts
  assemble
  printf '\nBuilt %s/dist (load it unpacked at chrome://extensions, Developer mode on)\n' "$ROOT"
  printf 'and %s/dist/inlay-%s.zip\n' "$ROOT" "$VERSION"
}

build_sandbox() {
  step "Building the sandbox of provider hosts"
  cargo build --quiet -p inlay-sandbox
  # The IMAP e2e tests and the demo register the real helper in their Chromium
  # profiles and start real mail servers with its mailservers example.
  cargo build --quiet -p inlay-bridge --bins --examples
}

# ------------------------------------------------------------------- tests ---

declare -a SUMMARY=()
tier() {
  local name=$1; shift
  step "Test tier: $name"
  local start=$SECONDS
  if "$@"; then
    SUMMARY+=("passed  $name ($((SECONDS - start)) s)")
  else
    SUMMARY+=("FAILED  $name ($((SECONDS - start)) s)")
    print_summary
    exit 1
  fi
}
print_summary() {
  step "Summary"
  printf '  %s\n' "${SUMMARY[@]}"
}

test_native() { cargo test --workspace; }
test_wasm() { wasm-pack test --node --mode no-install core/wasm; }
test_ts() {
  rm -rf build/ts-test && mkdir -p build/ts-test
  esbuild $(find extension/src -name '*.test.ts') --bundle --platform=node --format=esm \
    --outdir=build/ts-test --out-extension:.js=.mjs --log-level=warning --external:node:*
  node --test build/ts-test/
}
test_e2e() { node --test --test-concurrency=1 tests/e2e/; }
# The core against postal-mime and mailparser, field by field, on the
# SpamAssassin and golden corpora; differences need a reviewed reason in
# tests/differential/allow-list.json.
test_differential() { node --test tests/differential/; }

# Supply chain: the licences, bans and sources of every crate (deny.toml), in
# both locks (the root workspace's and the wasm binding's own), and npm's
# advisories where the registry serves them.
test_supply_chain() {
  # Not `advisories`: it clones the RustSec database from GitHub, which these
  # machines cannot reach (see deny.toml).
  local manifest
  for manifest in Cargo.toml core/wasm/Cargo.toml; do
    printf '%s: ' "$manifest"
    cargo deny --manifest-path "$manifest" --config deny.toml --log-level error \
      check --hide-inclusion-graph licenses bans sources || return 1
  done
  npm_audit
}

# npm audit's endpoint is not served by every registry mirror: an unanswered
# audit is one line and no failure; an answer with a high or critical
# advisory fails the tier.
npm_audit() {
  mkdir -p build
  timeout 60 npm audit --json >build/npm-audit.json 2>/dev/null || true
  python3 - build/npm-audit.json <<'PY'
import json, sys
try:
    report = json.load(open(sys.argv[1]))
except ValueError:
    report = {}
counts = report.get("metadata", {}).get("vulnerabilities")
if counts is None:
    why = report.get("message") or "no answer"
    print(f"npm audit: skipped, the registry did not answer the advisory query ({why})")
    sys.exit(0)
found = ", ".join(f"{n} {level}" for level, n in counts.items() if level != "total" and n)
print(f"npm audit: {found or 'no advisories'}")
if counts.get("high", 0) + counts.get("critical", 0):
    print("npm audit: high or critical advisories above; `npm audit` names them and the fixed versions")
    sys.exit(1)
PY
}

# Fuzzing on stable Rust: libfuzzer-sys with LLVM's sanitizer-coverage passes
# switched on by flags (what cargo-fuzz does on nightly, minus ASan, which
# safe Rust does not need). --target keeps the flags off build scripts and
# proc macros, which would not link against libFuzzer's hooks.
FUZZ_TARGETS=(parse build_message rpc)
FUZZ_RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing"

build_fuzz() {
  local host
  host=$(rustc -vV | sed -n 's/^host: //p')
  (cd core/fuzz && RUSTFLAGS="$FUZZ_RUSTFLAGS" cargo build --quiet --release --target "$host" --bins) || return 1
  FUZZ_BIN=core/fuzz/target/$host/release
}

# The test run's fuzzing is a fixed amount of work: a fixed seed, a fixed
# number of runs per target and a fresh corpus, so every run (here or in CI)
# repeats the same inputs and a failure shows again. ./build.sh fuzz explores:
# a random seed, for a time, from the corpus kept between runs.
declare -A FUZZ_TEST_RUNS=([parse]=60000 [build_message]=200000 [rpc]=2000000)

# fuzz_all test | fuzz_all explore SECONDS: each target starts from its
# committed inputs in core/fuzz/regressions/<target>/ (replayed by cargo test
# too; the golden messages also seed parse).
fuzz_all() {
  local mode=$1 target log corpus
  build_fuzz || return 1
  mkdir -p build
  for target in "${FUZZ_TARGETS[@]}"; do
    local seeds=(core/fuzz/regressions/$target)
    [ "$target" = parse ] && seeds+=(core/tests/golden/*/)
    local bound
    if [ "$mode" = test ]; then
      corpus=build/fuzz-corpus/$target
      rm -rf "$corpus"
      # The time cap only stops a machine far slower than this one early.
      bound=(-seed=1 -runs="${FUZZ_TEST_RUNS[$target]}" -max_total_time=180)
    else
      corpus=core/fuzz/corpus/$target
      bound=(-seed=0 -max_total_time="$2")
    fi
    mkdir -p "$corpus" "core/fuzz/artifacts/$target"
    log=build/fuzz-$target.log
    if ! "$FUZZ_BIN/$target" "${bound[@]}" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="core/fuzz/artifacts/$target/" "$corpus" "${seeds[@]}" >"$log" 2>&1; then
      tail -n 40 "$log"
      printf '\nfuzz target %s failed; the input is in core/fuzz/artifacts/%s/ (full log: %s).\n' "$target" "$target" "$log"
      printf 'Fix the cause, then copy that input into core/fuzz/regressions/%s/ so cargo test replays it.\n' "$target"
      return 1
    fi
    printf '  %-14s %s\n' "$target" "$(sed -nE 's/^#([0-9]+)\s+DONE\s+cov: ([0-9]+) .*corp: ([0-9]+).*/\1 runs, \2 edges covered, \3 inputs in its corpus/p' "$log")"
  done
}

ensure_xmllint() {
  # The EWS tests validate every SOAP body against the published XSDs.
  command -v xmllint >/dev/null || apt_install libxml2-utils
}

ensure_dovecot() {
  # The bridge's real-server tests (bridge/tests/dovecot.rs) start their own
  # Dovecot on 127.0.0.1 high ports with a private config. The package's
  # system service is not used: stop it and keep it off so it holds no
  # 143/993 (containers usually block the start already via policy-rc.d).
  [ -x /usr/sbin/dovecot ] && return
  apt_install dovecot-imapd
  if [ -d /run/systemd/system ]; then
    systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true
  elif [ -x /etc/init.d/dovecot ]; then
    /etc/init.d/dovecot stop >/dev/null 2>&1 || true
    update-rc.d dovecot disable >/dev/null 2>&1 || true
  fi
}

ensure_aiosmtpd() {
  # The bridge's SMTP tests (bridge/tests/smtp.rs, mail.rs) start a private
  # aiosmtpd from bridge/tests/support/smtpd.py on 127.0.0.1 high ports.
  python3 -c 'import aiosmtpd' 2>/dev/null && return
  step "Installing aiosmtpd 1.4.6 with pip"
  python3 -m pip install --quiet aiosmtpd==1.4.6
}

run_tests() {
  build_all
  ensure_chromium
  ensure_xmllint
  ensure_dovecot
  ensure_aiosmtpd
  ensure_cargo_deny
  build_sandbox
  tier "1/7 supply chain (cargo deny, npm audit)" test_supply_chain
  tier "2/7 core (cargo test --workspace)" test_native
  # A fixed amount of fuzzing (FUZZ_TEST_RUNS, about a minute); ./build.sh fuzz goes further.
  tier "3/7 fuzzing (libFuzzer, stable Rust)" fuzz_all test
  tier "4/7 WASM boundary (wasm-bindgen-test, node)" test_wasm
  tier "5/7 extension units (node --test)" test_ts
  tier "6/7 differential check (core vs postal-mime, mailparser)" test_differential
  tier "7/7 end-to-end (Chromium + sandbox)" test_e2e
  print_summary
}

case "${1:-build}" in
  test | demo) export INLAY_CONFIG="${INLAY_CONFIG:-config/sandbox.json}" ;;
esac
case "${1:-build}" in
  build) build_all ;;
  test) run_tests ;;
  demo) build_all; ensure_chromium; ensure_dovecot; ensure_aiosmtpd; build_sandbox; node tests/e2e/demo.mjs ;;
  # run.mjs: parse, build, wake-up, size; crm.mjs: the CRM store at scale in Chromium (same arguments, --quick).
  bench) build_all; node bench/run.mjs "${@:2}" && node bench/crm.mjs "${@:2}" ;;
  fuzz) fuzz_all explore "${2:-300}" ;;
  types) generate_types "$TYPES_DIR" && printf 'Wrote %s/%s\n' "$ROOT" "$TYPES_DIR" ;;
  *) die "unknown command '$1' (use: ./build.sh [build|test|demo|bench|fuzz|types])" ;;
esac
