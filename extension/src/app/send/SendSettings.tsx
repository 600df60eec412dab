// Sending's settings, under the outbox: what happens to a scheduled email
// whose time passed while the browser was closed, and each inbox's
// signature (typed as text; the worker stores it as the core sanitised it).
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../../shared/messages.js";
import { useApp } from "../crm/context.js";
import { send } from "./api.js";
import { htmlToText, textToHtml } from "./text.js";
import type { SendLateRule, SendSettings } from "./types.js";

export function SendSettingsPanel() {
  const app = useApp();
  const [settings, setSettings] = useState<SendSettings | null>(null);
  const [inboxes, setInboxes] = useState<string[]>([]);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    Promise.all([send.settings(), send.compose(null)])
      .then(([s, info]) => {
        setSettings(s);
        setInboxes(info.senders.map((x) => x.inbox));
        setTexts(Object.fromEntries(s.signatures.map((x) => [x.inbox, htmlToText(x.html)])));
      })
      .catch((e: unknown) => setError(errorText(e)));
  }, []);

  async function save(late: SendLateRule) {
    try {
      const signatures = Object.entries(texts)
        .filter(([, text]) => text.trim())
        .map(([inbox, text]) => ({ inbox, html: textToHtml(text) }));
      setSettings(await send.saveSettings({ late, signatures }));
      setError(null);
      app.toast({ text: "Sending settings saved." });
    } catch (e) {
      setError(errorText(e));
    }
  }

  if (!settings) return error ? <p class="error" role="alert">{error}</p> : null;
  return (
    <section class="panel" aria-labelledby="send-settings">
      <h2 id="send-settings">Sending settings</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save(settings.late);
        }}
      >
        <fieldset>
          <legend>When a scheduled email's time passes while your browser is closed</legend>
          <label class="check">
            <input type="radio" name="late" checked={settings.late === "holdForReview"} onChange={() => setSettings({ ...settings, late: "holdForReview" })} />
            Hold it here for me to send, edit or cancel
          </label>
          <label class="check">
            <input type="radio" name="late" checked={settings.late === "sendLate"} onChange={() => setSettings({ ...settings, late: "sendLate" })} />
            Send it as soon as the browser starts, and tell me it went late
          </label>
        </fieldset>
        {inboxes.map((inbox) => (
          <div class="field" key={inbox}>
            <label for={`sig-${inbox}`}>Signature for {inbox}</label>
            <textarea id={`sig-${inbox}`} rows={3} value={texts[inbox] ?? ""} onInput={(e) => setTexts({ ...texts, [inbox]: e.currentTarget.value })} />
          </div>
        ))}
        {error !== null && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="actions end">
          <button type="submit">Save sending settings</button>
        </div>
      </form>
    </section>
  );
}
