import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { execute } from "./http.js";

let server: Server;
let base = "";

before(async () => {
  server = createServer((req, res) => {
    let body = "";
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      chunks.push(c);
      body += c.toString();
    });
    req.on("end", () => {
      switch (req.url) {
        case "/bytes":
          res.writeHead(200, { "Content-Type": "application/json" });
          res.end(JSON.stringify({ hex: Buffer.concat(chunks).toString("hex"), length: req.headers["content-length"], range: req.headers["content-range"] }));
          break;
        case "/echo":
          res.writeHead(200, { "Content-Type": "application/json", "X-Seen-Auth": req.headers.authorization ?? "" });
          res.end(JSON.stringify({ method: req.method, body }));
          break;
        case "/throttled":
          res.writeHead(429, { "Retry-After": "7" });
          res.end("slow down");
          break;
        case "/redirect":
          res.writeHead(302, { Location: "https://evil.test/" });
          res.end();
          break;
        case "/hang":
          break; // never answers
        case "/reset":
          req.socket.destroy();
          break;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

test("sends method, headers and body as planned and returns lower-cased headers", async () => {
  const outcome = await execute({
    method: "POST",
    url: `${base}/echo`,
    headers: [["Authorization", "Bearer t"]],
    body: "a=1",
  });
  assert.ok(outcome.kind === "response");
  assert.equal(outcome.response.status, 200);
  assert.deepEqual(JSON.parse(outcome.response.body), { method: "POST", body: "a=1" });
  assert.ok(outcome.response.headers.some(([k, v]) => k === "x-seen-auth" && v === "Bearer t"));
});

test("a base64 body is sent as its raw bytes", async () => {
  const bytes = [0, 255, 128, 10, 13, 0x80, 0xc3, 0x28];
  const outcome = await execute({
    method: "PUT",
    url: `${base}/bytes`,
    headers: [["Content-Range", "bytes 0-7/8"], ["Content-Type", "application/octet-stream"]],
    body: null,
    bodyBase64: Buffer.from(bytes).toString("base64"),
  });
  assert.ok(outcome.kind === "response");
  assert.deepEqual(JSON.parse(outcome.response.body), { hex: Buffer.from(bytes).toString("hex"), length: "8", range: "bytes 0-7/8" });
});

test("error statuses are returned, not thrown, with Retry-After intact", async () => {
  const outcome = await execute({ method: "GET", url: `${base}/throttled`, headers: [] });
  assert.ok(outcome.kind === "response");
  assert.equal(outcome.response.status, 429);
  assert.ok(outcome.response.headers.some(([k, v]) => k === "retry-after" && v === "7"));
});

test("redirects are not followed", async () => {
  const outcome = await execute({ method: "GET", url: `${base}/redirect`, headers: [] });
  assert.ok(outcome.kind === "response");
  assert.equal(outcome.response.status, 302);
});

test("a hung request times out as a transport failure", async () => {
  const outcome = await execute({ method: "GET", url: `${base}/hang`, headers: [] }, fetch, 200);
  assert.deepEqual(outcome, { kind: "transport", failure: "timeout" });
});

test("a reset connection is a network failure", async () => {
  const outcome = await execute({ method: "GET", url: `${base}/reset`, headers: [] });
  assert.deepEqual(outcome, { kind: "transport", failure: "network" });
});
