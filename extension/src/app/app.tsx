// The app page: Inlay's CRM and settings in a full tab. Settings › Email
// shows the same inbox list and connect flow as the popup; the popup sends
// the Exchange and IMAP forms here (app.html#connect=<kind>&address=…).
import { render } from "preact";
import { formFromHash } from "../ui/ConnectFlow.js";
import { EmailSettings } from "../ui/EmailSettings.js";
import { PolicyNotice } from "./PolicyNotice.js";

function App() {
  return (
    <>
      <nav aria-label="Breadcrumb" class="crumbs">
        Settings › Email
      </nav>
      <PolicyNotice />
      <EmailSettings form={form} />
    </>
  );
}

// Read once, then dropped from the address bar so a reload shows the inbox list.
const form = formFromHash(location.hash);
if (form) history.replaceState(null, "", location.pathname);

render(<App />, document.getElementById("root")!);
