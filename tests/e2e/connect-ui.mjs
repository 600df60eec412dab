// Page object for the connect flow and the inbox list (popup or app page):
// tests speak in the user's steps, the selectors live here.
import assert from "node:assert/strict";

export class InboxPage {
  constructor(page) {
    this.page = page;
  }

  static async open(browser, path = "popup.html") {
    const page = await browser.openExtensionPage(path);
    await page.locator('#core-status[data-state="ready"]').waitFor({ timeout: 10_000 });
    return new InboxPage(page);
  }

  button(name) {
    return this.page.getByRole("button", { name, exact: true });
  }

  /** Walks the flow up to the provider offer; returns the detection text shown. */
  async startConnect(address, { automation = true } = {}) {
    await this.button("Connect personal email").click();
    const box = this.page.getByLabel("Turn on inbox automation");
    if ((await box.isChecked()) !== automation) await box.click();
    await this.button("Connect your inbox").click();
    await this.page.getByLabel("Your email address").fill(address);
    await this.button("Next").click();
    await this.page.locator(".evidence").waitFor({ timeout: 10_000 });
    return this.page.locator(".connect").innerText();
  }

  /** Chooses the offered provider, reads the disclosure, continues. */
  async chooseAndContinue(providerLabel) {
    await this.button(`Connect to ${providerLabel}`).click();
    await this.page.getByRole("heading", { name: "What to expect" }).waitFor();
    const disclosure = await this.page.locator(".scopes").innerText();
    await this.button("Continue").click();
    return disclosure;
  }

  /** The whole happy path for an address; returns the confirmation text. */
  async connect(address, providerLabel, options) {
    await this.startConnect(address, options);
    await this.chooseAndContinue(providerLabel);
    return this.waitConnected();
  }

  async waitConnected() {
    const done = this.page.locator(".connect .success");
    await done.waitFor({ timeout: 15_000 });
    const text = await this.page.locator(".connect").innerText();
    await this.button("Done").click();
    return text;
  }

  /** The error the flow shows (role=alert). */
  async flowError() {
    const alert = this.page.locator(".connect [role=alert]");
    await alert.waitFor({ timeout: 15_000 });
    return alert.innerText();
  }

  account(address) {
    return this.page.locator(`li.account[data-address="${address}"]`);
  }

  async accountState(address) {
    return this.account(address).getAttribute("data-state");
  }

  async waitAccountState(address, state) {
    await this.page.locator(`li.account[data-address="${address}"][data-state="${state}"]`).waitFor({ timeout: 15_000 });
  }

  async accounts() {
    return this.page.locator("li.account").evaluateAll((items) =>
      items.map((li) => ({ address: li.dataset.address, state: li.dataset.state })),
    );
  }

  /** Sends a request to the worker from this extension page. */
  async send(request) {
    return this.page.evaluate((r) => chrome.runtime.sendMessage(r), request);
  }
}

/** Seeds the sandbox with accounts and DNS, after a reset. */
export async function seed(sandbox, { accounts = [], dns = [] }) {
  await sandbox.control("POST", "/reset");
  return sandbox.control("POST", "/seed", { accounts, dns });
}

export function assertNoTokenLike(haystack, tokens, where) {
  for (const token of tokens) {
    assert.ok(token && !haystack.includes(token), `${where} contains a token`);
  }
}
