// Sending in `./build.sh demo` (headless): from each kind of inbox the demo
// connected (Gmail, Microsoft 365, Exchange, IMAP/SMTP), an email composed
// on a sample contact's page and sent now (its timeline then shows it), and
// one scheduled for tomorrow morning (the Outbox screen shows it waiting in
// the browser, or handed to Exchange/Microsoft for deferred delivery where
// the inbox can). Through the app's own dialog and screens (send-ui.mjs), so
// the worker, core, outbox and the sandbox's providers really run.
import { join } from "node:path";
import { InboxPage } from "./connect-ui.mjs";
import { SendApp, delivered } from "./send-ui.mjs";
import { imapMessages, timelineShows } from "./send-check.mjs";

// One sample contact from crm-demo.mjs per kind, so each timeline shows its own send.
const CONTACTS = {
  gmail: ["María García", "maria@northwind.example"],
  microsoft: ["Jonas Müller", "jonas@fabrikam.example"],
  exchange: ["Chen Wang", "chen@contoso-pharma.example"],
  imap: ["Amara Okafor", "amara@tailspin.example"],
};
const NAMES = { gmail: "Gmail", microsoft: "Microsoft 365", exchange: "Exchange", imap: "IMAP/SMTP" };

/** Tomorrow at 9:00 local time. */
function tomorrowMorning() {
  const d = new Date(Date.now() + 86_400_000);
  d.setHours(9, 0, 0, 0);
  return d.getTime();
}

/** The CRM id of the contact whose address is `email` (the header's search). */
async function contactId(app, email) {
  const hits = await app.value({ type: "crmSearch", query: email, limit: 5 });
  const hit = hits.find((h) => h.kind === "contact" && h.subtitle === email) ?? hits.find((h) => h.kind === "contact");
  if (!hit) throw new Error(`no sample contact ${email} (crm-demo.mjs seeds it)`);
  return hit.record.split(":")[1];
}

/**
 * Turns on "Deliver scheduled email with the browser closed" for the
 * Microsoft inbox in the inbox list (its disclosure, then the sandbox's
 * sign-in for Mail.ReadWrite), so its scheduled email is handed over as
 * Exchange's is. Optional: the demo goes on, and says so, if it can't.
 */
async function scheduledDelivery(browser, address, save) {
  const inboxes = await InboxPage.open(browser, "app.html");
  try {
    await inboxes.page.setViewportSize({ width: 760, height: 900 });
    const feature = inboxes.account(address).locator('label[data-feature="scheduledDelivery"] input');
    await feature.click();
    await inboxes.page.locator('.feature-disclosure[data-feature="scheduledDelivery"]').waitFor({ timeout: 10_000 });
    await save("send-microsoft-feature.png", inboxes.page);
    await inboxes.button("Continue").click();
    await inboxes.page.waitForFunction((a) => document.querySelector(`li.account[data-address="${a}"] label[data-feature="scheduledDelivery"] input`)?.checked, address, { timeout: 30_000 });
  } catch (e) {
    console.log(`  (${address}: scheduled delivery not turned on: ${e instanceof Error ? e.message.split("\n")[0] : e})`);
  } finally {
    await inboxes.page.close();
  }
}

/**
 * `from`: the address to send from per kind ({gmail, microsoft, exchange,
 * imap}). `sandbox`, `servers`: to count what the providers received.
 * Writes send-compose.png (the dialog before Send) and, per kind,
 * send-<kind>-timeline.png, send-<kind>-schedule.png (the dialog with its
 * time) and send-<kind>-outbox.png to `outDir`.
 */
export async function sendShots(browser, { sandbox, servers, outDir, from }) {
  console.log("Sending from a record and scheduling, from each kind of inbox:");
  const app = await SendApp.open(browser);
  const page = app.page;
  await page.setViewportSize({ width: 1360, height: 860 });
  await page.emulateMedia({ colorScheme: "light" });
  const save = async (file, on = page) => {
    // The toast from the last send (8 s) would cover the timeline: closed as the user would.
    const toast = on.getByRole("button", { name: "Close the message" });
    if (await toast.count()) await toast.click();
    await on.waitForTimeout(300);
    await on.screenshot({ path: join(outDir, file) });
    console.log(`  saved demo-out/${file}`);
  };
  await scheduledDelivery(browser, from.microsoft, save);
  const imapBefore = (await imapMessages(servers, "INBOX")).length;

  for (const kind of ["gmail", "microsoft", "exchange", "imap"]) {
    const [name, email] = CONTACTS[kind];
    const id = await contactId(app, email);
    const first = name.split(" ")[0];
    const compose = async (fields) => {
      await app.go(`#/contact/${id}`);
      await app.waitHeading(name);
      await app.composeFromRecord();
      await app.fillCompose({ from: from[kind], ...fields });
    };
    const refused = (what, words) => {
      if (words !== null) throw new Error(`${NAMES[kind]}: the ${what} was refused: ${words}`);
    };

    // Sent now: a template token in the subject, rendered for the contact.
    await compose({
      subject: "Proposal for {{contact.firstName}}",
      body: `Hello ${first}, here is the proposal we discussed. Sent from ${NAMES[kind]} through Inlay.`,
    });
    if (kind === "gmail") await save("send-compose.png");
    refused("send", await app.clickSend());
    const sent = await app.waitOutbox(`Proposal for ${first}`, ["sent"], 90_000);
    await timelineShows(app, id, name, `Proposal for ${first}`);
    // Tall enough for the contact's name and the Activity card with the email in one view.
    await page.setViewportSize({ width: 1360, height: 1180 });
    await save(`send-${kind}-timeline.png`);
    await page.setViewportSize({ width: 1360, height: 860 });

    // Scheduled: the dialog says whether the provider delivers it with the browser closed (Exchange, and
    // Microsoft with Mail.ReadWrite: handed over now with its deferred send time) or the browser must be open.
    await compose({ subject: "Following up, {{contact.firstName}}", body: "Just checking the proposal reached you. Talk tomorrow?" });
    const at = tomorrowMorning();
    await app.dialog().getByRole("button", { name: "Schedule…" }).click();
    const when = app.dialog().getByLabel("Send at");
    await when.fill(new Date(at - new Date(at).getTimezoneOffset() * 60_000).toISOString().slice(0, 16));
    await when.blur();
    await save(`send-${kind}-schedule.png`);
    refused("schedule", await app.clickSend("Schedule"));
    const subject = `Following up, ${first}`;
    let scheduled = await app.waitOutbox(subject, ["scheduled", "handedOver"]);
    // Handed over once due: an inbox's scheduled emails keep 30 s after its last send (the outbox's stagger).
    // Microsoft only with scheduled delivery turned on (above); without, it stays in the browser.
    if ((kind === "exchange" || kind === "microsoft") && scheduled.view.state.kind !== "handedOver") {
      scheduled = await app.waitOutbox(subject, ["handedOver"], 60_000).catch(() => scheduled);
    }
    await app.go("#/outbox");
    await app.waitHeading("Outbox");
    const row = page.locator(`[data-outbox="${scheduled.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    await row.scrollIntoViewIfNeeded();
    await save(`send-${kind}-outbox.png`);

    const received =
      kind === "imap"
        ? `${(await imapMessages(servers, "INBOX")).length - imapBefore} message(s) reached the SMTP server`
        : `${(await delivered(sandbox, kind === "gmail" ? "ann@acme-corp.example" : from[kind], kind === "gmail" ? "google" : kind)).length} delivered by the sandbox`;
    console.log(`  ${NAMES[kind]} (${from[kind]} → ${email}): "${sent.summary.subject}" ${sent.view.state.kind}, ${received}; "${subject}" ${scheduled.view.state.kind}${scheduled.dueAt ? ` (${scheduled.dueAt.reason})` : ""}`);
  }
  await page.close();
}
