// Page object for the connect flow and the inbox list (popup or app page):
// tests speak in the user's steps, the selectors live here.
import assert from "node:assert/strict";

export class InboxPage {
  constructor(page) {
    this.page = page;
  }

  static async open(browser, path = "popup.html") {
    // The app page opens on the CRM; its inbox list is Settings › Email.
    const page = await browser.openExtensionPage(path === "app.html" ? "app.html#/settings/email" : path);
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

  /** From "Connect personal email" to a password inbox's form, choosing the kind ("Exchange", "IMAP") by hand. */
  async openPasswordForm(address, kindLabel) {
    await this.startConnect(address);
    const choose = this.page.getByText("I want to choose my email provider myself");
    if (await choose.isVisible()) await choose.click();
    await this.button(`Connect to ${kindLabel}`).click();
  }

  /** Types the Exchange password, clicks Connect and allows the hosts the form asks for. */
  async submitExchange(password) {
    await this.page.getByLabel("Password", { exact: true }).fill(password);
    await this.button("Connect").click();
    return this.allowHosts();
  }

  /**
   * Clicks "Allow" each time a form asks for host permissions (the browser
   * grants at once when the hosts were allowed in chrome://extensions), until
   * the flow shows a result or a question. Returns the hosts each request named.
   */
  async allowHosts() {
    const asked = [];
    for (let i = 0; i < 5; i++) {
      await this.page
        .locator(".connect .success, .connect [role=alert], .permission, .confirm-redirect")
        .first()
        .waitFor({ timeout: 30_000 });
      if (!(await this.page.locator(".permission").isVisible())) return asked;
      asked.push(await this.page.locator(".permission .hosts").innerText());
      // The box leaves the page while the worker answers and a next question may
      // bring a new one within the same frame, which a detached-state poll can
      // miss (seen under load): an observer records the removal itself.
      await this.page.evaluate(() => {
        const box = document.querySelector(".permission");
        window.__inlayPermissionGone = false;
        new MutationObserver((_, observer) => {
          if (box.isConnected) return;
          window.__inlayPermissionGone = true;
          observer.disconnect();
        }).observe(document.body, { childList: true, subtree: true });
      });
      await this.button("Allow").click();
      await this.page.waitForFunction(() => window.__inlayPermissionGone === true);
    }
    throw new Error(`still asking for permissions: ${asked.join(" | ")}`);
  }

  /** Opens the IMAP form's Advanced options if closed. */
  async imapAdvanced() {
    const details = this.page.locator(".imap details");
    if ((await details.getAttribute("open")) === null) await this.page.getByText("Advanced options").click();
  }

  async fillImapServers({ host = "localhost", imapPort, imapSecurity = "SSL/TLS", smtpPort, smtpSecurity = "SSL/TLS", username = "alice" }) {
    await this.imapAdvanced();
    const field = (label) => this.page.getByLabel(label, { exact: true });
    await field("Username").fill(username);
    await field("IMAP server").fill(host);
    await field("IMAP port").fill(String(imapPort));
    await this.page.locator("#imap-security").selectOption({ label: imapSecurity });
    await field("SMTP server").fill(host);
    await field("SMTP port").fill(String(smtpPort));
    await this.page.locator("#smtp-security").selectOption({ label: smtpSecurity });
  }

  /**
   * Types the IMAP password and clicks Connect, then accepts `reviews` certificate reviews ("Trust this
   * certificate"): one for a first connection to the self-signed loopback servers (IMAP; SMTP presents
   * the same key, accepted with it), none when the inbox's certificates are already pinned.
   */
  async submitImap(password, { reviews = 1 } = {}) {
    await this.page.getByLabel("Password", { exact: true }).fill(password);
    await this.button("Connect").click();
    for (const server of ["imap", "smtp"].slice(0, reviews)) await this.trustCertificate(server);
  }

  /** Waits for the review of `server`'s certificate ("imap" or "smtp"), returns its text, and accepts it. */
  async trustCertificate(server) {
    const review = this.page.locator(`.certificate-review[data-server="${server}"]`);
    await review.waitFor({ timeout: 30_000 });
    const text = await review.innerText();
    await review.getByRole("button", { name: "Trust this certificate" }).click();
    await review.waitFor({ state: "detached", timeout: 5_000 });
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
