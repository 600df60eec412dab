// Page object for the app page's CRM: tests speak in the user's steps
// (create a contact, search, move a deal), the selectors live here.
import assert from "node:assert/strict";

export class CrmApp {
  constructor(page) {
    this.page = page;
  }

  static async open(browser, hash = "#/contacts") {
    const page = await browser.openExtensionPage(`app.html${hash}`);
    await page.getByRole("navigation", { name: "Inlay" }).waitFor();
    return new CrmApp(page);
  }

  /**
   * Sends a page request to the worker as the app does (extension/src/shared/messages.ts: again after a pause
   * while a just-stopped worker is not listening yet); returns the raw reply ({ok, value|error}).
   */
  send(message) {
    return this.page.evaluate(async (m) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await chrome.runtime.sendMessage(m);
        } catch (e) {
          if (attempt >= 4 || !String(e?.message).includes("Receiving end does not exist")) throw e;
          await new Promise((r) => setTimeout(r, 150 * attempt));
        }
      }
    }, message);
  }

  /** A page request's value; fails the test with the worker's words if it was refused. */
  async value(message) {
    const reply = await this.send(message);
    assert.equal(reply?.ok, true, `${message.type}: ${JSON.stringify(reply)}`);
    return reply.value;
  }

  async go(hash) {
    await this.page.evaluate((h) => (location.hash = h), hash);
  }

  button(name) {
    return this.page.getByRole("button", { name, exact: true });
  }

  heading() {
    return this.page.locator("#main h1");
  }

  async waitHeading(text) {
    await this.page.locator("#main h1", { hasText: text }).waitFor({ timeout: 10_000 });
  }

  /** The record page's id from the address bar (#/contact/ct_…). */
  async recordId() {
    return (await this.page.evaluate(() => location.hash)).split("/")[2];
  }

  async fill(label, value) {
    await this.page.getByLabel(label, { exact: true }).fill(value);
  }

  /** Picks a record in a form's search-as-you-type picker. */
  async pick(label, query, title) {
    await this.page.getByRole("combobox", { name: label, exact: true }).fill(query);
    await this.page.getByRole("option", { name: new RegExp(escape(title)) }).first().click();
  }

  async createContact({ firstName = "", lastName = "", emails = "", jobTitle = "" }) {
    await this.go("#/new/contact");
    await this.waitHeading("New contact");
    await this.fill("First name", firstName);
    await this.fill("Last name", lastName);
    await this.fill("Email addresses", emails);
    if (jobTitle) await this.fill("Job title", jobTitle);
    await this.button("Create contact").click();
    return this.savedRecord();
  }

  async createCompany({ name, domains = "" }) {
    await this.go("#/new/company");
    await this.waitHeading("New company");
    await this.fill("Company name", name);
    await this.fill("Domains", domains);
    await this.button("Create company").click();
    return this.savedRecord();
  }

  async createDeal({ name, amount = "", company, contacts = [] }) {
    await this.go("#/new/deal");
    await this.waitHeading("New deal");
    await this.fill("Deal name", name);
    if (amount) await this.fill("Amount", amount);
    if (company) await this.pick("Company", company.slice(0, 5), company);
    for (const c of contacts) await this.pick("Add a contact", c.slice(0, 4), c);
    await this.button("Create deal").click();
    return this.savedRecord();
  }

  /** After a save: the record page opened; returns its id. */
  async savedRecord() {
    await this.page.waitForFunction(() => /^#\/(contact|company|deal)\/[a-z]{2}_/.test(location.hash), null, { timeout: 10_000 });
    await this.page.locator("article.record").waitFor({ timeout: 10_000 });
    return this.recordId();
  }

  /** The titles listed in a record page's association panel ("Company", "Contacts", "Deals"). */
  async associated(panel) {
    const section = this.page.getByRole("region", { name: panel, exact: true });
    await section.waitFor();
    return section.locator("li a").allInnerTexts();
  }

  /** Types in the header's search box; returns the options' titles once the list settles. */
  async search(query) {
    const box = this.page.getByRole("combobox", { name: "Search contacts, companies and deals" });
    await box.fill(query);
    const list = this.page.locator("#search-results");
    // The answer to this query, not the last one still shown while it runs.
    await this.page.waitForFunction(
      (q) => {
        const el = document.querySelector("#search-results");
        return el?.getAttribute("data-query") === q && el.getAttribute("aria-busy") !== "true";
      },
      query.trim(),
      { timeout: 10_000 },
    );
    return list.locator('[role="option"] .hit-title').allInnerTexts();
  }

  /** Deletes the open record through its Delete button and the dialog; returns the toast's text. */
  async deleteOpenRecord() {
    await this.button("Delete").click();
    await this.page.getByRole("dialog").getByRole("button", { name: "Delete", exact: true }).click();
    // The delete's toast (the one with Undo), not an earlier save's still on screen.
    const toast = this.page.locator(".toast", { has: this.page.getByRole("button", { name: "Undo" }) });
    await toast.waitFor({ timeout: 10_000 });
    return toast.innerText();
  }

  /** The count line over a list ("3 contacts"). */
  /** `reload`: read afresh when already on the list (another page wrote; a reload also drops the toast). */
  async listTotal(hash, { reload = false } = {}) {
    if (reload && (await this.page.evaluate(() => location.hash)) === hash) await this.page.reload();
    else await this.go(hash);
    const count = this.page.locator(".list-screen .count");
    await this.page.waitForFunction(() => /\d/.test(document.querySelector(".list-screen .count")?.textContent ?? "") || document.querySelector(".empty"), null, { timeout: 10_000 });
    const text = (await count.count()) ? await count.innerText() : "";
    return Number((text.match(/[\d,]+/)?.[0] ?? "0").replaceAll(",", ""));
  }

  /** Uploads CSV text through the import screen; waits for the mapping screen or a refusal. */
  async uploadCsv(name, text) {
    await this.go("#/import");
    await this.waitHeading("Import and export");
    await this.page.locator("#csv-file").setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(text) });
    await this.page.locator(".mapping, .error.banner").first().waitFor({ timeout: 30_000 });
  }

  async alertText() {
    return this.page.locator('[role="alert"]').first().innerText();
  }
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// stopWorker lives in harness.mjs; kept here for the tests that import it from this file.
export { stopWorker } from "./harness.mjs";
