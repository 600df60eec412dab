// `./build.sh demo`: Inlay against the local sandbox, no account needed.
// The sandbox is seeded with a Google Workspace and a Microsoft 365 account.
// With a display, a real Chromium window to click through (Ctrl-C ends it).
// Without one, headless: it connects both inboxes through the real flow,
// disconnects and reconnects one, and saves screenshots to demo-out/.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, launchBrowser, startSandbox } from "./harness.mjs";
import { InboxPage, seed } from "./connect-ui.mjs";

const outDir = join(ROOT, "demo-out");
const headless = !process.env.DISPLAY || process.env.INLAY_HEADLESS === "1";

const GOOGLE = { provider: "google", address: "ann@acme-corp.example", displayName: "Ann Archer", aliases: ["sales@acme-corp.example"] };
const MICROSOFT = { provider: "microsoft", address: "bob@contoso.example", displayName: "Bob Baker" };
const DNS = [
  { name: "acme-corp.example", type: "MX", data: "1 aspmx.l.google.com." },
  { name: "contoso.example", type: "MX", data: "0 contoso-example.mail.protection.outlook.com." },
];

const sandbox = await startSandbox();
await seed(sandbox, { accounts: [GOOGLE, MICROSOFT], dns: DNS });
console.log(`Sandbox of provider hosts on 127.0.0.1:${sandbox.httpsPort} (control API ${sandbox.controlUrl})`);
const browser = await launchBrowser(sandbox, { headless });
console.log(`Chromium ${headless ? "(headless) " : ""}started with Inlay ${browser.extensionId}`);

async function shutdown() {
  await browser.close().catch(() => {});
  await sandbox.stop();
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
    for (const a of await inbox.accounts()) console.log(`  ${a.address}: ${a.state}`);

    console.log("Gmail and Outlook on the web (sandbox) with Inlay's element:");
    await shot(await webmail("https://mail.google.com/mail/u/0/"), "gmail.png");
    await shot(await webmail("https://outlook.office.com/mail/"), "outlook.png");
    await shutdown();
  } else {
    const inbox = await InboxPage.open(browser, "app.html");
    console.log("The window is yours. In Settings › Email, click \"Connect personal email\" and use:");
    console.log(`  ${GOOGLE.address} (Google Workspace, with an alias) or ${MICROSOFT.address} (Microsoft 365)`);
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
