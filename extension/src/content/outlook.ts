// Outlook on the web adapter (outlook.office.com, outlook.office365.com, outlook.live.com).
import { start } from "./adapter.js";

start({
  host: "outlook",
  anchorSelectors: ['[role="banner"]', 'div[role="main"]', "#app"],
});
