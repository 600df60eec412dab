// The app page: Inlay's CRM and settings in a full tab. Settings › Email
// shows the same inbox list and connect flow as the popup.
import { render } from "preact";
import { EmailSettings } from "../ui/EmailSettings.js";

function App() {
  return (
    <>
      <nav aria-label="Breadcrumb" class="crumbs">
        Settings › Email
      </nav>
      <EmailSettings />
    </>
  );
}

render(<App />, document.getElementById("root")!);
