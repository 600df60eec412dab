// Page object for sending: the compose dialog opened from a record, the
// Outbox screen; tests speak in the user's steps, the selectors live here.
// Also the sandbox's record of what a provider received.
import { CrmApp } from "./crm-ui.mjs";

export class SendApp extends CrmApp {
  static async open(browser, hash = "#/contacts") {
    const page = await browser.openExtensionPage(`app.html${hash}`);
    await page.getByRole("navigation", { name: "Inlay" }).waitFor();
    return new SendApp(page);
  }

  dialog() {
    return this.page.getByRole("dialog", { name: /New email|Edit draft|Reply/ });
  }

  /** Opens Compose on the record page shown; waits until From lists the inboxes. */
  async composeFromRecord() {
    await this.button("Compose").click();
    const dialog = this.dialog();
    await dialog.waitFor({ timeout: 10_000 });
    await dialog.locator("#compose-from option").first().waitFor({ state: "attached", timeout: 10_000 });
    return dialog;
  }

  /** Clicks Reply on the record page's timeline entry "Email sent: <subject>"; waits until the dialog is filled from it. */
  async replyFromTimeline(subject) {
    const entry = this.page.locator(".timeline li.tl", { hasText: `Email sent: ${subject}` }).first();
    await entry.getByRole("button", { name: "Reply", exact: false }).click();
    const dialog = this.page.getByRole("dialog", { name: "Reply" });
    await dialog.waitFor({ timeout: 10_000 });
    await dialog.locator("#compose-from option").first().waitFor({ state: "attached", timeout: 10_000 });
    // The subject is set once the worker answered with the reply.
    await this.page.waitForFunction(() => document.querySelector("#compose-subject")?.value.startsWith("Re:"), null, { timeout: 10_000 });
    return dialog;
  }

  /** Fills what is given; the body is typed into the editor. Files: {name, mimeType, buffer} or {name, path}. */
  async fillCompose({ from, to, cc, bcc, subject, body, files = [] }) {
    const d = this.dialog();
    if (from) await d.getByLabel("From", { exact: true }).selectOption(from);
    if (to !== undefined) await d.getByLabel("To", { exact: true }).fill(to);
    if (cc !== undefined || bcc !== undefined) {
      const toggle = d.getByRole("button", { name: "Cc / Bcc" });
      if (await toggle.count()) await toggle.click();
      if (cc !== undefined) await d.getByLabel("Cc", { exact: true }).fill(cc);
      if (bcc !== undefined) await d.getByLabel("Bcc", { exact: true }).fill(bcc);
    }
    if (subject !== undefined) await d.getByLabel("Subject", { exact: true }).fill(subject);
    if (body !== undefined) {
      const editor = d.getByRole("textbox", { name: "Message" });
      await editor.click();
      await this.page.keyboard.type(body);
    }
    if (files.length) {
      // A file with a `path` is read by the browser from disk: megabytes as a buffer cross the protocol slowly.
      await d.locator("#compose-files").setInputFiles(files.every((f) => f.path) ? files.map((f) => f.path) : files);
      for (const f of files) await d.getByText(new RegExp(`${f.name} · \\d`)).waitFor({ timeout: 20_000 });
    }
  }

  /** Clicks Send; resolves when the dialog closed, or with the refusal shown in it. */
  async clickSend(label = "Send") {
    const d = this.dialog();
    await d.getByRole("button", { name: label, exact: true }).click();
    const alert = d.locator('[role="alert"]');
    await Promise.race([d.waitFor({ state: "detached", timeout: 20_000 }), alert.first().waitFor({ timeout: 20_000 })]);
    return (await d.count()) ? alert.first().innerText() : null;
  }

  async schedule(atMs) {
    const d = this.dialog();
    await d.getByRole("button", { name: "Schedule…" }).click();
    const local = new Date(atMs - new Date(atMs).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await d.getByLabel("Send at").fill(local);
    return this.clickSend("Schedule");
  }

  /** The outbox as the worker answers it (the page request the Outbox screen makes). */
  outbox() {
    return this.value({ type: "sendOutbox" });
  }

  /** Waits until the email with `subject` is in one of `kinds`; returns it. */
  async waitOutbox(subject, kinds, timeout = 30_000) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const item = (await this.outbox()).find((i) => i.summary.subject === subject);
      if (item && kinds.includes(item.view.state.kind)) return item;
      if (Date.now() > deadline) throw new Error(`${subject}: ${JSON.stringify(item?.view ?? "not in the outbox")}, wanted ${kinds}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * The messages the sandbox's provider accepted for `mailbox`, oldest first
 * (tests/sandbox README "Sending": one delivery per accepted send), each
 * with its MIME as handed over (`raw`, Bcc kept) and as recipients get it.
 */
export async function delivered(sandbox, mailbox, provider = "google") {
  const list = await sandbox.control("GET", `/deliveries?provider=${provider}&address=${encodeURIComponent(mailbox)}`);
  const bytes = (text, base64) => (text == null ? null : Buffer.from(text, base64 ? "base64" : "utf8"));
  return list.map((d) => ({ ...d, raw: bytes(d.raw, d.base64), transmitted: bytes(d.transmitted, d.base64) }));
}

/** The JSON bodies of the `users.messages.send` calls the sandbox's Gmail received, oldest first. */
export async function gmailSendBodies(sandbox) {
  const requests = await sandbox.control("GET", `/requests?host=gmail.googleapis.com&pathPrefix=${encodeURIComponent("/gmail/v1/users/me/messages/send")}`);
  return requests.filter((r) => r.method === "POST").map((r) => JSON.parse(r.bodyBase64 ? Buffer.from(r.body, "base64").toString("utf8") : r.body));
}

/**
 * The next send to `host` is delivered, then its answer is lost: by
 * default the connection closes without a byte (accept-then-drop); with
 * `{delayMs}` the answer comes that late (time to stop the worker while
 * the request is out). Returns the fault's id.
 */
export async function afterAccept(sandbox, action = { reset: true }, host = "gmail.googleapis.com", pathPrefix = "/gmail/v1/users/me/messages/send") {
  const { id } = await sandbox.control("POST", "/faults", { host, method: "POST", pathPrefix, times: 1, afterAccept: true, ...action });
  return id;
}
