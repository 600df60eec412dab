// Hostile input in the CRM: names, companies, deals, notes and CSV cells from
// an XSS corpus render as inert text on every screen that shows them (no
// script runs, no element is injected, the text reads back as typed), and a
// 10 MB note is refused in words.
import { test } from "node:test";
import assert from "node:assert/strict";
import { browserForFile } from "./harness.mjs";
import { CrmApp } from "./crm-ui.mjs";

let app;

browserForFile(async ({ browser }) => {
  app = await CrmApp.open(browser);
  // Every payload sets window.__xss (or loads x.invalid) if it ever runs.
  await app.page.addInitScript(() => {
    window.__xss = 0;
  });
  await app.page.reload();
  await app.page.getByRole("navigation", { name: "Inlay" }).waitFor();
});

const CORPUS = [
  `<img src=x onerror="window.__xss=1">`,
  `<script>window.__xss=2</script>`,
  `"><svg onload=window.__xss=3>`,
  `'><iframe src="javascript:window.parent.__xss=4"></iframe>`,
  `<a href="javascript:window.__xss=5">click</a>`,
  `{{constructor.constructor('window.__xss=6')()}}`,
  `<style>*{display:none}</style>`,
  `&lt;b&gt;entity&lt;/b&gt; &amp; <b>bold</b>`,
  `</textarea><details open ontoggle=window.__xss=7>`,
  `\u202Egnp.exe <math><mi xlink:href="javascript:window.__xss=8">`,
];
const NAME = CORPUS[0];
const LAST = CORPUS[2];
const COMPANY = `${CORPUS[4]} Ltd`;
const DEAL = CORPUS[8];
const NOTE = CORPUS.join("\n");

/** Fails if anything of the corpus became an element or ran; returns the page's text. */
async function assertInert(where) {
  await app.page.waitForTimeout(300);
  const state = await app.page.evaluate(() => ({
    xss: window.__xss,
    injected: document.querySelectorAll("img, svg, iframe, script:not([src]), style, details, math, b, object, embed").length,
    scripts: [...document.scripts].map((s) => s.src.split("/").pop()),
    text: document.body.innerText,
  }));
  assert.equal(state.xss, 0, `${where}: a payload ran`);
  assert.equal(state.injected, 0, `${where}: an element was injected`);
  assert.deepEqual(state.scripts, ["app.js"], where);
  return state.text;
}

test("a contact, company, deal and note from an XSS corpus render as text everywhere", async () => {
  const companyId = await app.createCompany({ name: COMPANY, domains: "hostile.example" });
  assert.equal(await app.heading().innerText(), COMPANY);
  const contactId = await app.createContact({ firstName: NAME, lastName: LAST, emails: "eve@hostile.example", jobTitle: CORPUS[5] });
  assert.equal(await app.heading().innerText(), `${NAME} ${LAST}`);
  await app.createDeal({ name: DEAL, amount: "1", company: "Ltd", contacts: [] });
  assert.equal(await app.heading().innerText(), DEAL);

  // A note with the whole corpus.
  await app.go(`#/contact/${contactId}`);
  await app.waitHeading(NAME);
  await app.page.getByLabel("New note").fill(NOTE);
  await app.button("Add note").click();
  await app.page.locator(".note-body").first().waitFor({ timeout: 10_000 });
  assert.equal(await app.page.locator(".note-body").first().textContent(), NOTE);
  let text = await assertInert("contact page");
  assert.ok(text.includes(COMPANY), "the company's name reads back as typed");

  // A task with a hostile title shows on the record and in Tasks.
  await app.page.getByLabel("Task", { exact: true }).fill(CORPUS[1]);
  await app.button("Add").click();
  await app.page.locator(".task-title", { hasText: "<script>" }).waitFor({ timeout: 10_000 });
  await assertInert("contact page with a task");

  for (const [hash, shows] of [
    ["#/contacts", NAME],
    ["#/companies", COMPANY],
    ["#/deals", DEAL],
    ["#/deals/board", DEAL],
    ["#/tasks", CORPUS[1]],
    [`#/company/${companyId}`, COMPANY],
  ]) {
    await app.go(hash);
    await app.page.waitForFunction((s) => document.body.innerText.includes(s), shows, { timeout: 10_000 });
    await assertInert(hash);
  }

  // The search box's options.
  await app.search("eve");
  text = await assertInert("search results");
  assert.ok(text.includes(NAME));

  // The delete dialog, the toast and Recently deleted.
  await app.go(`#/contact/${contactId}`);
  await app.waitHeading(NAME);
  await app.button("Delete").click();
  await app.page.getByRole("dialog").waitFor();
  await assertInert("delete dialog");
  await app.page.getByRole("dialog").getByRole("button", { name: "Delete", exact: true }).click();
  await app.page.locator(".toast").waitFor();
  await assertInert("toast");
  await app.go("#/settings/trash");
  await app.page.getByRole("button", { name: /^Restore / }).first().waitFor({ timeout: 10_000 });
  await assertInert("recently deleted");
});

test("CSV cells from the corpus are inert in the mapping screen and the import's report", async () => {
  const q = (cell) => `"${cell.replaceAll('"', '""')}"`;
  const header = ["First Name", "Last Name", "Email", q(CORPUS[3])].join(",");
  // Row 2 imports; row 3's address is markup, so the report quotes it back.
  const rows = [[q(CORPUS[0]), "x", "csv@hostile-csv.example", q(CORPUS[6])].join(","), [q(CORPUS[2]), "y", q(CORPUS[4]), "z"].join(",")];
  await app.uploadCsv("hostile.csv", [header, ...rows].join("\n"));
  await assertInert("mapping screen");
  await app.button("Import 2 rows").click();
  await app.page.locator(".import-result").waitFor({ timeout: 30_000 });
  await assertInert("import report");
});

test("a 10 MB note is refused in words, and nothing is saved", async () => {
  await app.go("#/companies");
  const link = app.page.locator(".name-cell a").first();
  await link.waitFor({ timeout: 10_000 });
  await link.click();
  await app.page.locator("article.record").waitFor();
  const before = await app.page.locator(".note").count();
  // Typing 10 MB would take minutes: set the box's value as an input event would.
  await app.page.getByLabel("New note").evaluate((box) => {
    box.value = "x".repeat(10 * 1024 * 1024);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await app.button("Add note").click();
  const error = app.page.locator("#note-error");
  await error.waitFor({ timeout: 30_000 });
  // Over the page message limit, the router refuses it before the core reads it; either way in words.
  assert.match(await error.innerText(), /KiB|KB|MB|long|large|limit/i);
  assert.equal(await app.page.locator(".note").count(), before);
});
