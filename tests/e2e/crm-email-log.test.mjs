// Settings › Email, "Logging sent email": the two settings and the never-log
// list are saved through the worker and the core (which checks and
// normalises the list, and refuses an entry in words), and read back after a
// reload. Which emails are then logged is the core's (crm_sent_email.rs) and
// the worker's (crm/sentEmail.test.ts).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startSandbox } from "./harness.mjs";
import { CrmApp } from "./crm-ui.mjs";

let sandbox;
let browser;
let app;

before(async () => {
  sandbox = await startSandbox();
  browser = await launchBrowser(sandbox);
  app = await CrmApp.open(browser, "#/settings/email");
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

const panel = () => app.page.getByRole("region", { name: "Logging sent email" });
const emailLog = async () => (await app.value({ type: "crmSettings" })).emailLog;

test("the defaults: colleagues at the own domain are not logged, new recipients do not become contacts", async () => {
  await panel().waitFor();
  assert.equal(await panel().getByLabel(/Never log emails to my own company/).isChecked(), true);
  assert.equal(await panel().getByLabel(/Create contacts for recipients/).isChecked(), false);
  assert.equal(await panel().getByLabel(/Never log emails to these addresses and domains/).inputValue(), "");
});

test("a never-log entry that is neither an address nor a domain is refused in words, and nothing is saved", async () => {
  await panel().getByLabel(/Never log emails to these addresses and domains/).fill("acme.example\nnot a domain");
  await panel().getByRole("button", { name: "Save the list" }).click();
  const alert = panel().getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.textContent(), /"not a domain" in the never-log list is neither an email address nor a domain/);
  assert.deepEqual((await emailLog())?.neverLog ?? [], []);
});

test("the list is saved normalised, the settings are kept after a reload", async () => {
  const list = panel().getByLabel(/Never log emails to these addresses and domains/);
  await list.fill(" @Acme.EXAMPLE\n*.acme.example\n\nAnn.Lee@Globex.example");
  await panel().getByRole("button", { name: "Save the list" }).click();
  await app.page.waitForFunction(() => document.querySelector("#never-log")?.value === "acme.example\nann.lee@globex.example");
  await panel().getByLabel(/Create contacts for recipients/).check();
  await app.page.waitForFunction(async () => (await chrome.runtime.sendMessage({ type: "crmSettings" })).value.emailLog?.createContacts === true);
  await panel().getByLabel(/Never log emails to my own company/).uncheck();
  await app.page.waitForFunction(async () => (await chrome.runtime.sendMessage({ type: "crmSettings" })).value.emailLog?.neverLogOwnDomain === false);
  assert.deepEqual(await emailLog(), { neverLog: ["acme.example", "ann.lee@globex.example"], neverLogOwnDomain: false, createContacts: true });
  await app.page.reload();
  await panel().waitFor();
  assert.equal(await panel().getByLabel(/Create contacts for recipients/).isChecked(), true);
  assert.equal(await panel().getByLabel(/Never log emails to my own company/).isChecked(), false);
  assert.equal(await list.inputValue(), "acme.example\nann.lee@globex.example");
  // The pipelines and owners were not touched by these saves.
  const settings = await app.value({ type: "crmSettings" });
  assert.equal(settings.pipelines[0].stages.length, 7);
});
