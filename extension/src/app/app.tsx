// The app page: Inlay's CRM (contacts, companies, deals, tasks, import and
// export) and its settings in a full tab. Settings › Email shows the same
// inbox list and connect flow as the popup; the popup sends the Exchange and
// IMAP forms here (app.html#connect=<kind>&address=…), which open there.
import { render } from "preact";
import { formFromHash } from "../ui/ConnectFlow.js";
import { Frame } from "./crm/Frame.js";

// Read once, then dropped from the address bar (the form is open already).
const form = formFromHash(location.hash);
if (form) history.replaceState(null, "", location.pathname);

render(<Frame {...(form ? { form } : {})} />, document.getElementById("root")!);
