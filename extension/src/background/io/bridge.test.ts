import { test } from "node:test";
import assert from "node:assert/strict";
import { Bridge, BridgeError, disconnectError, runHelperCall, type PortLike } from "./bridge.js";

/** A native-messaging port played by the test: it records what was posted and can answer or drop. */
class FakePort implements PortLike {
  posted: Record<string, unknown>[] = [];
  private onMsg: ((m: unknown) => void)[] = [];
  private onDisc: (() => void)[] = [];
  disconnected = false;
  onMessage = { addListener: (l: (m: unknown) => void) => void this.onMsg.push(l) };
  onDisconnect = { addListener: (l: () => void) => void this.onDisc.push(l) };
  postMessage(message: unknown) {
    if (this.disconnected) throw new Error("Attempting to use a disconnected port object");
    this.posted.push(message as Record<string, unknown>);
  }
  disconnect() {
    this.disconnected = true;
  }
  reply(message: unknown) {
    for (const l of this.onMsg) l(message);
  }
  drop() {
    this.disconnected = true;
    for (const l of this.onDisc) l();
  }
}

// Idle ports close quickly here, so no timer outlives the test.
function setup(lastError?: string, idleMs = 10) {
  const ports: FakePort[] = [];
  const bridge = new Bridge(
    () => {
      const port = new FakePort();
      ports.push(port);
      return port;
    },
    () => lastError,
    idleMs,
  );
  return { bridge, ports };
}

test("a request carries an id and its op; the reply with that id resolves it, others don't", async () => {
  const { bridge, ports } = setup();
  const first = bridge.request("imapCheck", { host: "localhost", port: 993, password: "pw" });
  const second = bridge.request("ping");
  assert.equal(ports.length, 1, "one port for both requests");
  const [a, b] = ports[0]!.posted as [Record<string, unknown>, Record<string, unknown>];
  assert.equal(a.op, "imapCheck");
  assert.equal(a.host, "localhost");
  assert.notEqual(a.id, b.id);
  ports[0]!.reply({ id: b.id, ok: true, value: { version: "0.1.0" } });
  ports[0]!.reply({ id: a.id, ok: false, error: { code: "wrongPassword", message: "LOGIN refused" } });
  assert.deepEqual(await second, { version: "0.1.0" });
  await assert.rejects(first, (e: BridgeError) => e.code === "wrongPassword" && e.message === "LOGIN refused");
});

test("a refused certificate reaches the worker with the certificate to review; other errors carry none", async () => {
  const { bridge, ports } = setup();
  const certificate = { subject: "CN=localhost", issuer: "CN=localhost", notBefore: "x", notAfter: "y", spkiSha256: "q83v" };
  const pending = bridge.request("imapCheck", { host: "localhost" });
  const other = bridge.request("smtpCheck", { host: "localhost" });
  const [a, b] = ports[0]!.posted as [Record<string, unknown>, Record<string, unknown>];
  ports[0]!.reply({ id: a.id, ok: false, error: { code: "untrustedCertificate", message: "UnknownIssuer", certificate } });
  ports[0]!.reply({ id: b.id, ok: false, error: { code: "tlsFailed", message: "corrupt" } });
  await assert.rejects(pending, (e: BridgeError) => e.code === "untrustedCertificate" && JSON.stringify(e.certificate) === JSON.stringify(certificate));
  await assert.rejects(other, (e: BridgeError) => e.code === "tlsFailed" && e.certificate === null);
});

test("replies over 1 MB come back in chunks and are reassembled in order", async () => {
  const { bridge, ports } = setup();
  const pending = bridge.request<{ big: string }>("fetch");
  const { id } = ports[0]!.posted[0]!;
  const whole = JSON.stringify({ id, ok: true, value: { big: "x".repeat(3_000_000) } });
  const size = 1_000_000;
  const parts = [whole.slice(0, size), whole.slice(size, 2 * size), whole.slice(2 * size)];
  parts.forEach((data, chunk) => ports[0]!.reply({ id, chunk, of: parts.length, data }));
  assert.equal((await pending).big.length, 3_000_000);
});

test("a chunk out of order fails the request instead of building a wrong reply", async () => {
  const { bridge, ports } = setup();
  const pending = bridge.request("fetch");
  const { id } = ports[0]!.posted[0]!;
  ports[0]!.reply({ id, chunk: 1, of: 2, data: "}" });
  await assert.rejects(pending, (e: BridgeError) => e.code === "badFrame");
});

test("a request the helper never answers times out", async () => {
  const { bridge } = setup();
  await assert.rejects(bridge.request("imapCheck", {}, 20), (e: BridgeError) => e.code === "bridgeTimeout");
});

test("a missing host reaches the core with Chrome's words, and the next request tries a new port", async () => {
  const { bridge, ports } = setup("Specified native messaging host not found.");
  const pending = bridge.request("ping");
  ports[0]!.drop();
  // The core sorts and words it (core/src/provider/imap/helper_error.rs, chromes_disconnect_messages_are_told_apart).
  await assert.rejects(pending, (e: BridgeError) => e.code === "bridgeDisconnected" && e.message === "Specified native messaging host not found.");
  const again = bridge.request("ping");
  assert.equal(ports.length, 2);
  ports[1]!.reply({ id: ports[1]!.posted[0]!.id, ok: true, value: { version: "0.1.0" } });
  assert.deepEqual(await again, { version: "0.1.0" });
});

test("a disconnect carries Chrome's message as it is, for the core to sort", () => {
  const exited = disconnectError("Native host has exited.");
  assert.equal(exited.code, "bridgeDisconnected");
  assert.equal(exited.message, "Native host has exited.");
  assert.equal(disconnectError(undefined).message, "");
});

test("an error reply without an id (a broken frame) fails everything in flight", async () => {
  const { bridge, ports } = setup();
  const a = bridge.request("ping");
  const b = bridge.request("ping");
  ports[0]!.reply({ id: null, ok: false, error: { code: "badFrame", message: "stream ended inside a frame" } });
  await assert.rejects(a, (e: BridgeError) => e.code === "badFrame");
  await assert.rejects(b, (e: BridgeError) => e.code === "badFrame");
});

test("the port closes once idle (an open one keeps the worker and the helper running), and reopens on the next request", async () => {
  const { bridge, ports } = setup(undefined, 20);
  const first = bridge.request("ping");
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(ports[0]!.disconnected, false, "not while a request waits");
  ports[0]!.reply({ id: ports[0]!.posted[0]!.id, ok: true, value: {} });
  await first;
  assert.equal(ports[0]!.disconnected, false, "not at once");
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(ports[0]!.disconnected, true, "closed after the idle time");
  const second = bridge.request("ping");
  assert.equal(ports.length, 2, "a new port for the next request");
  ports[1]!.reply({ id: ports[1]!.posted[0]!.id, ok: true, value: { again: true } });
  assert.deepEqual(await second, { again: true });
});

test("a machine's helper step: the value as the reply, a failure as it came with its certificate, anything else thrown", async () => {
  const certificate = { subject: "CN=h", issuer: "CN=ca", notBefore: "a", notAfter: "b", spkiSha256: "k" };
  const sent: unknown[] = [];
  const answering = (answer: () => Promise<unknown>) => ({
    request: async <T>(op: string, args?: Record<string, unknown>) => (sent.push({ op, ...args }), answer() as Promise<T>),
  });
  const call = { op: "smtpCheck" as const, args: { host: "h", password: "pw" } };
  assert.deepEqual(await runHelperCall(answering(async () => ({ certificatePin: "k" })), call), { kind: "helperReply", reply: { certificatePin: "k" } });
  assert.deepEqual(sent, [{ op: "smtpCheck", host: "h", password: "pw" }]);
  assert.deepEqual(await runHelperCall(answering(async () => undefined), call), { kind: "helperReply", reply: null });
  const refused = answering(() => Promise.reject(new BridgeError("untrustedCertificate", "UnknownIssuer", certificate)));
  assert.deepEqual(await runHelperCall(refused, call), { kind: "helperFailed", code: "untrustedCertificate", message: "UnknownIssuer", certificate });
  const down = answering(() => Promise.reject(new BridgeError("bridgeTimeout", "")));
  assert.deepEqual(await runHelperCall(down, call), { kind: "helperFailed", code: "bridgeTimeout", message: "", certificate: null });
  await assert.rejects(runHelperCall(answering(() => Promise.reject(new TypeError("bug"))), call), TypeError);
});
