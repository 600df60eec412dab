// The CRM in the app page, end to end in Chromium with the real worker and
// core: create, edit and delete a contact, a company and a deal and see them
// associated; the header search finds each; a delete is undone; the deal
// board moves a deal by mouse and by keyboard, and says so to screen readers.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, browserForFile } from "./harness.mjs";
import { CrmApp } from "./crm-ui.mjs";

let app;

browserForFile(async ({ browser }) => {
  app = await CrmApp.open(browser);
});

const COMPANY = { name: "Northwind Traders", domains: "northwind.example" };
const CONTACT = { firstName: "María", lastName: "García", emails: "maria@northwind.example", jobTitle: "Buyer" };
const DEAL = { name: "Northwind pilot", amount: "12500" };
const ids = {};

describe("records", () => {
  test("an empty list says what to do next", async () => {
    await app.go("#/contacts");
    const empty = app.page.locator(".empty");
    await empty.waitFor({ timeout: 10_000 });
    assert.match(await empty.innerText(), /No contacts yet/);
    assert.ok(await empty.getByRole("link", { name: "Import a CSV" }).isVisible());
  });

  test("a company, a contact at its domain and a deal with both are created and shown associated", async () => {
    ids.company = await app.createCompany(COMPANY);
    assert.equal(await app.heading().innerText(), COMPANY.name);

    ids.contact = await app.createContact(CONTACT);
    assert.equal(await app.heading().innerText(), "María García");
    // The core links a contact to the company owning its address's domain.
    assert.deepEqual(await app.associated("Company"), [COMPANY.name]);

    ids.deal = await app.createDeal({ ...DEAL, company: COMPANY.name, contacts: ["María García"] });
    assert.equal(await app.heading().innerText(), DEAL.name);
    assert.deepEqual(await app.associated("Company"), [COMPANY.name]);
    assert.deepEqual(await app.associated("Contacts"), ["María García"]);

    // And from the other side.
    await app.go(`#/company/${ids.company}`);
    await app.waitHeading(COMPANY.name);
    assert.deepEqual(await app.associated("Contacts"), ["María García"]);
    assert.deepEqual(await app.associated("Deals"), [DEAL.name]);
    await app.go(`#/contact/${ids.contact}`);
    await app.waitHeading("María García");
    assert.deepEqual(await app.associated("Deals"), [DEAL.name]);

    // The lists show them.
    assert.equal(await app.listTotal("#/contacts"), 1);
    assert.equal(await app.listTotal("#/companies"), 1);
    assert.equal(await app.listTotal("#/deals"), 1);
  });

  test("editing a contact saves the change and adds it to the timeline, newest first", async () => {
    await app.go(`#/contact/${ids.contact}`);
    await app.waitHeading("María García");
    await app.button("Edit").click();
    await app.fill("Job title", "Head of purchasing");
    await app.button("Save changes").click();
    const about = app.page.getByRole("region", { name: "About" });
    await about.getByText("Head of purchasing").waitFor({ timeout: 10_000 });
    const kinds = await app.page.locator(".timeline li.tl").evaluateAll((lis) => lis.map((li) => li.dataset.kind));
    assert.ok(kinds.length >= 2, JSON.stringify(kinds));
    assert.equal(kinds.at(-1), "created", `the first entry is the oldest: ${kinds}`);
    assert.notEqual(kinds[0], "created", `an entry for the edit comes first: ${kinds}`);
  });

  test("a refused save shows the core's words and keeps the form", async () => {
    await app.go("#/new/deal");
    await app.waitHeading("New deal");
    await app.fill("Deal name", "Bad amount");
    await app.fill("Amount", "twelve");
    await app.button("Create deal").click();
    const alert = app.page.locator(".form-error");
    await alert.waitFor({ timeout: 10_000 });
    assert.match(await alert.innerText(), /amount/i);
    assert.match(await app.page.evaluate(() => location.hash), /^#\/new\/deal$/);
  });

  test("the header search finds each record as you type, and Enter opens the chosen one", async () => {
    assert.ok((await app.search("mar")).includes("María García"));
    // Diacritics fold: "garcia" finds "García".
    assert.ok((await app.search("garcia")).includes("María García"));
    assert.ok((await app.search("northwind")).includes(COMPANY.name));
    assert.ok((await app.search("pilot")).includes(DEAL.name));
    assert.deepEqual(await app.search("zzzz-nothing"), []);
    assert.match(await app.page.locator("#search-results").innerText(), /Nothing matches/);

    // Keyboard: ↓ to the option, Enter opens it, and the box reads as a combobox with an active option.
    await app.search("northwind tr");
    const box = app.page.getByRole("combobox", { name: "Search contacts, companies and deals" });
    await box.press("ArrowDown");
    await box.press("ArrowUp");
    assert.match(await box.getAttribute("aria-activedescendant"), /^search-hit-\d+$/);
    await box.press("Enter");
    await app.waitHeading(COMPANY.name);
    assert.equal(await app.recordId(), ids.company);
  });

  test("a deleted deal comes back with the toast's Undo, and a second delete takes it off the company", async () => {
    await app.go(`#/deal/${ids.deal}`);
    await app.waitHeading(DEAL.name);
    assert.match(await app.deleteOpenRecord(), /Northwind pilot/);
    assert.equal(await app.listTotal("#/deals"), 0);
    await app.page.locator(".toast").getByRole("button", { name: "Undo" }).click();
    await app.page.waitForFunction(() => /1 deal/.test(document.querySelector(".list-screen .count")?.textContent ?? ""), null, { timeout: 10_000 });
    await app.go(`#/company/${ids.company}`);
    await app.waitHeading(COMPANY.name);
    assert.deepEqual(await app.associated("Deals"), [DEAL.name]);

    await app.go(`#/deal/${ids.deal}`);
    await app.waitHeading(DEAL.name);
    await app.deleteOpenRecord();
    await app.go(`#/company/${ids.company}`);
    await app.waitHeading(COMPANY.name);
    assert.deepEqual(await app.associated("Deals"), []);
    // Settings › Recently deleted lists it, and restores it too.
    await app.go("#/settings/trash");
    await app.page.getByRole("button", { name: `Restore ${DEAL.name}` }).click();
    await app.page.getByRole("button", { name: `Restore ${DEAL.name}` }).waitFor({ state: "detached", timeout: 10_000 });
    assert.equal(await app.listTotal("#/deals"), 1);
  });

  test("a contact and a company are deleted the same way", async () => {
    await app.go(`#/contact/${ids.contact}`);
    await app.waitHeading("María García");
    await app.deleteOpenRecord();
    assert.equal(await app.listTotal("#/contacts"), 0);
    assert.deepEqual(await app.search("garcia"), []);
    await app.page.locator(".toast").getByRole("button", { name: "Undo" }).click();
    await app.page.locator(".toast").waitFor({ state: "detached", timeout: 10_000 });
    assert.equal(await app.listTotal("#/contacts"), 1);

    const spare = await app.createCompany({ name: "Spare Parts Ltd", domains: "spare.example" });
    await app.deleteOpenRecord();
    assert.equal(await app.listTotal("#/companies"), 1);
    const reply = await app.send({ type: "crmGet", record: `company:${spare}` });
    assert.equal(reply.ok, false, "a deleted company can no longer be opened");
    assert.ok(reply.error.message.length > 0);
  });
});

test("no developer text on screen: the core's version is not shown, even in Settings › Email", async () => {
  const version = readFileSync(join(ROOT, "Cargo.toml"), "utf8").match(/^version = "(.+)"/m)[1];
  for (const hash of ["#/contacts", "#/deals/board", "#/settings/email"]) {
    await app.go(hash);
    await app.page.waitForTimeout(500);
    const shown = await app.page.evaluate(() =>
      [...document.querySelectorAll("#root *")]
        .filter((el) => el.children.length === 0 && el.getBoundingClientRect().width > 1 && el.getBoundingClientRect().height > 1)
        .map((el) => el.textContent)
        .join(" "),
    );
    assert.ok(!shown.includes(version) && !/\bcore\b/i.test(shown), `${hash} shows developer text: ${shown.slice(0, 300)}`);
  }
});

describe("the deal board", () => {
  const stageOf = async (id) => (await app.value({ type: "crmGet", record: `deal:${id}` })).record.stage;

  test("a deal is dragged to the next stage", async () => {
    await app.go("#/deals/board");
    await app.waitHeading("Deals");
    const card = app.page.locator(`.card[data-id="${ids.deal}"]`);
    await card.waitFor({ timeout: 10_000 });
    const from = await stageOf(ids.deal);
    const columns = app.page.locator(".column");
    const target = await columns.nth(1).getAttribute("data-stage");
    assert.notEqual(target, from);
    await card.dragTo(columns.nth(1));
    await app.page.locator(`.column[data-stage="${target}"] .card[data-id="${ids.deal}"]`).waitFor({ timeout: 10_000 });
    await app.page.waitForFunction(() => /Moved/.test(document.getElementById("announcer")?.textContent ?? ""), null, { timeout: 10_000 });
    assert.equal(await stageOf(ids.deal), target);
  });

  test("from the keyboard: → moves it a stage and keeps focus on it, and the Move menu moves it anywhere", async () => {
    const columns = app.page.locator(".column");
    const third = await columns.nth(2).getAttribute("data-stage");
    const card = app.page.locator(`.card[data-id="${ids.deal}"]`);
    await card.focus();
    await app.page.keyboard.press("ArrowRight");
    await app.page.locator(`.column[data-stage="${third}"] .card[data-id="${ids.deal}"]`).waitFor({ timeout: 10_000 });
    await app.page.waitForFunction((id) => document.activeElement?.dataset?.id === id, ids.deal, { timeout: 5_000 });
    const announced = await app.page.locator("#announcer").innerText();
    assert.match(announced, /Moved “Northwind pilot” to /);
    assert.equal(await stageOf(ids.deal), third);

    // The Move menu: Tab to its button, open it, ↓ to a stage, Enter.
    const last = await columns.last().getAttribute("data-stage");
    await app.page.getByRole("button", { name: `Move ${DEAL.name} to another stage` }).focus();
    await app.page.keyboard.press("Enter");
    const menu = app.page.getByRole("menu", { name: `Move ${DEAL.name} to` });
    await menu.waitFor();
    // The menu puts focus on its first stage; ↑ wraps to the last.
    await app.page.waitForFunction(() => document.activeElement?.getAttribute("role") === "menuitem", null, { timeout: 5_000 });
    await app.page.keyboard.press("ArrowUp");
    assert.equal(await app.page.evaluate(() => document.activeElement?.textContent), await menu.getByRole("menuitem").last().textContent());
    await app.page.keyboard.press("Enter");
    await app.page.locator(`.column[data-stage="${last}"] .card[data-id="${ids.deal}"]`).waitFor({ timeout: 10_000 });
    assert.equal(await stageOf(ids.deal), last);
  });
});
