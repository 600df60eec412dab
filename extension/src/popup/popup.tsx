// Toolbar popup: core status, connected inboxes, and the connect flow.
import { render } from "preact";
import { EmailSettings } from "../ui/EmailSettings.js";

function Popup() {
  return (
    <>
      <EmailSettings inPopup />
      <footer class="popup-footer">
        <a
          href="app.html"
          onClick={(e) => {
            e.preventDefault();
            void chrome.runtime.openOptionsPage();
          }}
        >
          Open Inlay (CRM and settings)
        </a>
      </footer>
    </>
  );
}

render(<Popup />, document.getElementById("root")!);
