// `./build.sh demo`: Inlay against the local sandbox, no account needed.
// With a display, a real Chromium window to click through (Ctrl-C ends it).
// Without one, headless: screenshots of the popup and of the sandbox's Gmail
// and Outlook pages with Inlay's element go to demo-out/.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, launchBrowser, startSandbox } from "./harness.mjs";

const outDir = join(ROOT, "demo-out");
const headless = !process.env.DISPLAY || process.env.INLAY_HEADLESS === "1";

const sandbox = await startSandbox();
console.log(`Sandbox of provider hosts on 127.0.0.1:${sandbox.httpsPort} (control API ${sandbox.controlUrl})`);
const browser = await launchBrowser(sandbox, { headless });
console.log(`Chromium ${headless ? "(headless)" : ""} started with Inlay ${browser.extensionId}`);

async function shutdown() {
  await browser.close().catch(() => {});
  await sandbox.stop();
}

try {
  const popup = await browser.openExtensionPage("popup.html");
  await popup.setViewportSize({ width: 360, height: 420 });
  await popup.locator('#core-status[data-state="ready"]').waitFor({ timeout: 10_000 });
  console.log(`Popup: ${await popup.locator("#core-status").textContent()}`);

  const gmail = await browser.context.newPage();
  await gmail.goto("https://mail.google.com/mail/u/0/");
  await gmail.waitForFunction(() => document.getElementById("inlay-root")?.dataset.state === "ready");
  console.log("Gmail (sandbox): Inlay's element is mounted and talking to the core");

  const outlook = await browser.context.newPage();
  await outlook.goto("https://outlook.office.com/mail/");
  await outlook.waitForFunction(() => document.getElementById("inlay-root")?.dataset.state === "ready");
  console.log("Outlook on the web (sandbox): Inlay's element is mounted and talking to the core");

  if (headless) {
    mkdirSync(outDir, { recursive: true });
    const shots = [
      [popup, "popup.png"],
      [gmail, "gmail.png"],
      [outlook, "outlook.png"],
    ];
    for (const [page, file] of shots) {
      await page.screenshot({ path: join(outDir, file) });
      console.log(`Saved ${join("demo-out", file)}`);
    }
    await shutdown();
  } else {
    await gmail.bringToFront();
    console.log("The window is yours: open the Inlay toolbar button. Ctrl-C here ends the demo.");
    process.once("SIGINT", () => shutdown().then(() => process.exit(0)));
    browser.context.once("close", () => sandbox.stop().then(() => process.exit(0)));
  }
} catch (e) {
  console.error(`Demo failed: ${e instanceof Error ? e.message : e}`);
  await shutdown();
  process.exit(1);
}
