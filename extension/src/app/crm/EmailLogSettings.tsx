// Settings › Email, "Logging sent email": which sent emails go on the CRM's
// timelines. The never-log list (addresses and domains, one a line), the
// own-domain default and "create contacts for new recipients" are part of the
// CRM settings; the core checks and normalises them on save (its refusal
// shows in its words) and decides, per email, who is logged.
import { useEffect, useState } from "preact/hooks";
import type { EmailLogSettings as Log } from "../../background/core/generated/EmailLogSettings.js";
import { errorText } from "../../shared/messages.js";
import { crm } from "./api.js";
import { useApp } from "./context.js";

/** The core's defaults, for settings saved before they existed. */
const DEFAULTS: Log = { neverLog: [], neverLogOwnDomain: true, createContacts: false };

export function EmailLogSettings() {
  const app = useApp();
  const log = app.settings?.emailLog ?? DEFAULTS;
  const saved = log.neverLog.join("\n");
  const [list, setList] = useState(saved);
  const [error, setError] = useState<string | null>(null);
  // Only a change of the saved list replaces what is typed (the settings are
  // read again now and then; an unsaved edit stays).
  useEffect(() => setList(saved), [saved]);
  // The switches show the user's click at once (a box that jumps back until the save answers reads as refused),
  // go back to the saved value if the save is refused, and every save sends what the screen shows (the page's
  // copy of the settings is read again after a save, so a second click can come before it).
  const [own, setOwn] = useState(log.neverLogOwnDomain);
  const [create, setCreate] = useState(log.createContacts);
  useEffect(() => setOwn(log.neverLogOwnDomain), [log.neverLogOwnDomain]);
  useEffect(() => setCreate(log.createContacts), [log.createContacts]);

  async function save(next: Log) {
    if (!app.settings) return;
    try {
      const reading = await crm.saveSettings({ ...app.settings, emailLog: next });
      setList((reading.settings.emailLog ?? DEFAULTS).neverLog.join("\n"));
      setError(null);
      app.reloadSettings();
      app.toast({ text: "Settings saved." });
    } catch (e) {
      setOwn(log.neverLogOwnDomain);
      setCreate(log.createContacts);
      setError(errorText(e));
    }
  }

  return (
    <section class="panel" aria-labelledby="email-log-heading">
      <h2 id="email-log-heading">Logging sent email</h2>
      <p class="hint">
        An email you send from Inlay goes on the timeline of each recipient who is a contact, with their company and open deals. Bcc
        recipients too: the timeline is your own record, like your Sent folder.
      </p>
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <label class="check">
        <input
          type="checkbox"
          checked={own}
          disabled={!app.settings}
          onChange={(e) => {
            setOwn(e.currentTarget.checked);
            void save({ ...log, createContacts: create, neverLogOwnDomain: e.currentTarget.checked });
          }}
        />
        Never log emails to my own company (the domain of the inbox I send from; not for free email such as gmail.com)
      </label>
      <label class="check">
        <input
          type="checkbox"
          checked={create}
          disabled={!app.settings}
          onChange={(e) => {
            setCreate(e.currentTarget.checked);
            void save({ ...log, neverLogOwnDomain: own, createContacts: e.currentTarget.checked });
          }}
        />
        Create contacts for recipients who are not contacts yet
      </label>
      <form
        aria-label="Never-log list"
        onSubmit={(e) => {
          e.preventDefault();
          void save({ neverLog: list.split("\n"), neverLogOwnDomain: own, createContacts: create });
        }}
      >
        <label for="never-log">Never log emails to these addresses and domains (one a line; a domain covers its subdomains)</label>
        <textarea id="never-log" rows={5} placeholder={"ann@example.com\nexample.com"} value={list} onInput={(e) => setList(e.currentTarget.value)} />
        <button type="submit" disabled={!app.settings}>
          Save the list
        </button>
      </form>
    </section>
  );
}
