// `./build.sh demo`: Inlay against the local sandbox, no account needed.
// The sandbox is seeded with a Google Workspace, a Microsoft 365 and two
// Exchange accounts; a private Dovecot and SMTP server run on loopback for
// IMAP, reached through the real mail helper registered in the profile.
// With a display, a real Chromium window to click through (Ctrl-C ends it).
// Without one, headless: it connects every kind through the real flows
// (Exchange discovered and by URL, IMAP discovered and by hand), disconnects
// and reconnects one, seeds the CRM with sample data through the app page's
// requests, sends and schedules an email from a contact through each kind of
// inbox, and saves screenshots of every screen to demo-out/.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, grantHostPermissions, launchBrowser, profileWithBridge, startMailServers, startSandbox } from "./harness.mjs";
import { InboxPage, seed } from "./connect-ui.mjs";
import { CrmApp } from "./crm-ui.mjs";
import { seedCrm } from "./crm-demo.mjs";
import { sendShots } from "./send-demo.mjs";

const outDir = join(ROOT, "demo-out");
const headless = !process.env.DISPLAY || process.env.INLAY_HEADLESS === "1";

const GOOGLE = { provider: "google", address: "ann@acme-corp.example", displayName: "Ann Archer", aliases: ["sales@acme-corp.example"] };
const MICROSOFT = { provider: "microsoft", address: "bob@contoso.example", displayName: "Bob Baker" };
// Exchange: one found by Autodiscover (autodiscover.<domain>), one whose server must be typed.
const EXCHANGE = { provider: "exchange", address: "erin@contoso-exchange.example", password: "Exchange-demo-1", autodiscover: "subdomain" };
const EXCHANGE_BY_URL = { provider: "exchange", address: "fay@fabrikam-exchange.example", password: "Exchange-demo-2", autodiscover: "none" };
const EXCHANGE_HOSTS = ["contoso-exchange.example", "fabrikam-exchange.example"].flatMap((d) => [
  `https://${d}/*`,
  `https://autodiscover.${d}/*`,
  `http://autodiscover.${d}/*`,
  `https://mail.${d}/*`,
]);
// IMAP: the same loopback Dovecot user under two addresses: one domain publishes autoconfig, one doesn't.
const IMAP_DISCOVERED = "alice@imap-test.example";
const IMAP_BY_HAND = "alice@dovecot.test";
const DNS = [
  { name: "acme-corp.example", type: "MX", data: "1 aspmx.l.google.com." },
  { name: "contoso.example", type: "MX", data: "0 contoso-example.mail.protection.outlook.com." },
  { name: "imap-test.example", type: "MX", data: "10 mail.imap-test.example." },
];

/** imap-test.example's autoconfig document, pointing at the loopback servers. */
function autoconfig(servers) {
  const server = (tag, type, port) =>
    `<${tag} type="${type}"><hostname>localhost</hostname><port>${port}</port><socketType>SSL</socketType>` +
    `<username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication></${tag}>`;
  return `<?xml version="1.0" encoding="UTF-8"?><clientConfig version="1.1"><emailProvider id="imap-test.example">
<domain>imap-test.example</domain><displayName>Imap Test Mail</displayName>
${server("incomingServer", "imap", servers.imap.tlsPort)}${server("outgoingServer", "smtp", servers.smtp.tlsPort)}
</emailProvider></clientConfig>`;
}

const [sandbox, servers] = await Promise.all([startSandbox(), startMailServers()]);
await seed(sandbox, { accounts: [GOOGLE, MICROSOFT, EXCHANGE, EXCHANGE_BY_URL], dns: DNS });
await sandbox.control("POST", "/seed", { autoconfig: [{ domain: "imap-test.example", xml: autoconfig(servers) }] });
console.log(`Sandbox of provider hosts on 127.0.0.1:${sandbox.httpsPort} (control API ${sandbox.controlUrl})`);
console.log(`Dovecot IMAP on 127.0.0.1:${servers.imap.tlsPort} (TLS), SMTP on 127.0.0.1:${servers.smtp.tlsPort} (TLS)`);
const browser = await launchBrowser(sandbox, { headless, profileDir: profileWithBridge() });
console.log(`Chromium ${headless ? "(headless) " : ""}started with Inlay ${browser.extensionId}`);

async function shutdown() {
  await browser.close().catch(() => {});
  await Promise.all([sandbox.stop(), servers.stop()]);
}

async function shot(page, file) {
  await page.screenshot({ path: join(outDir, file), fullPage: true });
  console.log(`  saved demo-out/${file}`);
}

async function webmail(url) {
  const page = await browser.context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById("inlay-root")?.dataset.state === "ready");
  return page;
}

/** The CRM with sample data, screen by screen (light, then the main screens dark). */
async function crmShots() {
  console.log("The CRM (sample data written through the app page's requests):");
  const crm = await CrmApp.open(browser);
  const ids = await seedCrm(crm);
  const page = crm.page;
  // Written behind the open page's back: read afresh.
  await page.reload();
  await page.setViewportSize({ width: 1360, height: 860 });
  const screen = async (hash, file, ready) => {
    await crm.go(hash);
    await page.locator(ready).first().waitFor({ timeout: 15_000 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(outDir, file) });
    console.log(`  saved demo-out/${file}`);
  };
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    const s = scheme === "dark" ? "-dark" : "";
    await screen("#/contacts", `crm-contacts${s}.png`, ".viewport .name-cell a");
    await screen(`#/contact/${ids.contact}`, `crm-contact${s}.png`, ".timeline li");
    await screen("#/deals/board", `crm-board${s}.png`, ".card");
    if (scheme === "dark") break;
    await screen("#/companies", "crm-companies.png", ".viewport .name-cell a");
    await screen(`#/company/${ids.company}`, "crm-company.png", ".timeline li");
    await screen(`#/deal/${ids.deal}`, "crm-deal.png", ".timeline li");
    await screen("#/deals", "crm-deals.png", ".viewport .name-cell a");
    await screen("#/tasks", "crm-tasks.png", "li.task");
    await screen("#/settings/pipelines", "crm-pipelines.png", "ol.stages");
    await crm.go("#/contacts");
    await crm.search("nor");
    await page.screenshot({ path: join(outDir, "crm-search.png") });
    console.log("  saved demo-out/crm-search.png");
    await page.keyboard.press("Escape");
    await page.keyboard.press("Escape");
  }
  await page.emulateMedia({ colorScheme: "light" });
  await crm.uploadCsv("hubspot-export.csv", "First Name,Last Name,Email,Company Name,Lifecycle Stage\nZoe,Quinn,zoe@quinn.example,Quinn & Co,lead\nBad,Row,not-an-address,,lead\n");
  await page.screenshot({ path: join(outDir, "crm-import-mapping.png") });
  await crm.button("Import 2 rows").click();
  await page.locator(".import-result").waitFor({ timeout: 15_000 });
  await page.screenshot({ path: join(outDir, "crm-import-result.png") });
  console.log("  saved demo-out/crm-import-mapping.png, crm-import-result.png");
}

try {
  if (headless) {
    mkdirSync(outDir, { recursive: true });
    const inbox = await InboxPage.open(browser);
    await inbox.page.setViewportSize({ width: 380, height: 560 });
    await shot(inbox.page, "popup.png");

    console.log(`Connecting ${GOOGLE.address} (detected from its MX records, signed in with PKCE)…`);
    await inbox.startConnect(GOOGLE.address);
    await shot(inbox.page, "connect-detected.png");
    await inbox.button("Connect to Gmail").click();
    await inbox.page.getByRole("heading", { name: "What to expect" }).waitFor();
    await shot(inbox.page, "connect-disclosure.png");
    await inbox.button("Continue").click();
    await inbox.page.locator(".connect .success").waitFor({ timeout: 15_000 });
    await shot(inbox.page, "connect-connected.png");
    await inbox.button("Done").click();

    console.log(`Connecting ${MICROSOFT.address}…`);
    await inbox.connect(MICROSOFT.address, "Microsoft");
    await inbox.waitAccountState(MICROSOFT.address, "connected");
    await shot(inbox.page, "inboxes-both-connected.png");

    console.log(`Disconnecting ${MICROSOFT.address}, then connecting it again…`);
    await inbox.account(MICROSOFT.address).getByRole("button", { name: "Disconnect" }).click();
    await inbox.waitAccountState(MICROSOFT.address, "disconnected");
    await shot(inbox.page, "inboxes-one-disconnected.png");
    await inbox.account(MICROSOFT.address).getByRole("button", { name: "Connect again" }).click();
    await inbox.waitAccountState(MICROSOFT.address, "connected");
    await shot(inbox.page, "inboxes-reconnected.png");

    // Exchange and IMAP ask for host permissions, so they run in the app page (the popup would close at the
    // browser's prompt). Headless Chromium can't show that prompt: the hosts are allowed as in chrome://extensions.
    await grantHostPermissions(browser, [...EXCHANGE_HOSTS, "https://autoconfig.imap-test.example/*", "https://imap-test.example/*"]);
    const app = await InboxPage.open(browser, "app.html");
    await app.page.setViewportSize({ width: 760, height: 900 });

    console.log(`Connecting ${EXCHANGE.address} (Exchange, server found by Autodiscover)…`);
    await app.openPasswordForm(EXCHANGE.address, "Exchange");
    await shot(app.page, "exchange-form.png");
    await app.submitExchange(EXCHANGE.password);
    await app.waitConnected();

    console.log(`Connecting ${EXCHANGE_BY_URL.address} (Exchange, Autodiscover finds nothing, URL typed)…`);
    await app.openPasswordForm(EXCHANGE_BY_URL.address, "Exchange");
    await app.submitExchange(EXCHANGE_BY_URL.password);
    await app.flowError();
    await shot(app.page, "exchange-asks-for-url.png");
    await app.page.getByLabel(/Exchange URL/).fill("https://mail.fabrikam-exchange.example/EWS/Exchange.asmx");
    await app.submitExchange(EXCHANGE_BY_URL.password);
    await app.waitConnected();

    console.log(`Connecting ${IMAP_DISCOVERED} (IMAP on the local Dovecot, settings from the domain's autoconfig)…`);
    await app.openPasswordForm(IMAP_DISCOVERED, "IMAP");
    await app.button("Find my settings").click();
    await app.page.locator(".imap .found").waitFor({ timeout: 15_000 });
    await shot(app.page, "imap-discovered.png");
    await app.submitImap(servers.password);
    await app.waitConnected();

    console.log(`Connecting ${IMAP_BY_HAND} (IMAP, servers entered under Advanced options)…`);
    await app.openPasswordForm(IMAP_BY_HAND, "IMAP");
    await app.button("Enter them myself").click();
    await app.fillImapServers({ host: "localhost", imapPort: servers.imap.tlsPort, smtpPort: servers.smtp.tlsPort, username: "alice" });
    await shot(app.page, "imap-by-hand.png");
    await app.submitImap(servers.password);
    await app.waitConnected();

    for (const address of [EXCHANGE.address, EXCHANGE_BY_URL.address, IMAP_DISCOVERED, IMAP_BY_HAND]) {
      await app.waitAccountState(address, "connected");
    }
    await shot(app.page, "inboxes-all-kinds.png");
    for (const a of await app.accounts()) console.log(`  ${a.address}: ${a.state}`);

    console.log("Gmail and Outlook on the web (sandbox) with Inlay's element:");
    await shot(await webmail("https://mail.google.com/mail/u/0/"), "gmail.png");
    await shot(await webmail("https://outlook.office.com/mail/"), "outlook.png");

    await crmShots();
    // An email sent from a contact and one scheduled, from each kind of inbox (send-demo.mjs).
    const from = { gmail: GOOGLE.aliases[0], microsoft: MICROSOFT.address, exchange: EXCHANGE.address, imap: IMAP_DISCOVERED };
    await sendShots(browser, { sandbox, servers, outDir, from });
    await shutdown();
  } else {
    console.log("Seeding the CRM with sample companies, contacts, deals, notes and tasks…");
    await seedCrm(await CrmApp.open(browser));
    const inbox = await InboxPage.open(browser, "app.html");
    console.log("The window is yours. In Settings › Email, click \"Connect personal email\" and use:");
    console.log(`  ${GOOGLE.address} (Google Workspace, with an alias) or ${MICROSOFT.address} (Microsoft 365)`);
    console.log(`  ${EXCHANGE.address} / ${EXCHANGE.password} (Exchange, found by Autodiscover; allow the hosts when asked)`);
    console.log(`  ${EXCHANGE_BY_URL.address} / ${EXCHANGE_BY_URL.password} (Exchange: type https://mail.fabrikam-exchange.example/EWS/Exchange.asmx)`);
    console.log(`  ${IMAP_DISCOVERED} / ${servers.password} (IMAP: Find my settings, then Trust this certificate for each server)`);
    console.log(`  ${IMAP_BY_HAND} / ${servers.password} (IMAP by hand: localhost, ports ${servers.imap.tlsPort} and ${servers.smtp.tlsPort}, SSL/TLS)`);
    console.log("Then open a contact and click Compose to send or schedule from any of them (Outbox shows where each stands).");
    console.log("Open https://mail.google.com/ in a new tab to see Inlay there. Ctrl-C here ends the demo.");
    await inbox.page.bringToFront();
    process.once("SIGINT", () => shutdown().then(() => process.exit(0)));
    browser.context.once("close", () => sandbox.stop().then(() => process.exit(0)));
  }
} catch (e) {
  console.error(`Demo failed: ${e instanceof Error ? e.message : e}`);
  await shutdown();
  process.exit(1);
}
