// Gmail adapter. Selectors follow Gmail's real structure (see
// tests/sandbox/pages and ../shared/fixtures/webmail): the top bar's search
// form, falling back to the main view.
import { start } from "./adapter.js";

start({
  host: "gmail",
  anchorSelectors: ['header[role="banner"]', 'form[role="search"]', 'div[role="main"]'],
});
