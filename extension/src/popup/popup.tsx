// Toolbar popup: core status, connected inboxes, and the connect flow.
import { render } from "preact";
import { EmailSettings } from "../ui/EmailSettings.js";

render(<EmailSettings />, document.getElementById("root")!);
