// Inboxes plus the connect flow: the whole of the popup, and Settings › Email
// on the app page. Re-reads the list whenever the worker says it changed.
import { useCallback, useEffect, useState } from "preact/hooks";
import type { Account, ServerSettings } from "../shared/inboxes.js";
import { call, errorText, type PingReply } from "../shared/messages.js";
import { Accounts } from "./Accounts.js";
import { ConnectFlow, type PasswordForm } from "./ConnectFlow.js";

/** `address`: a stored inbox's own address (the reconnect button's, carried through the app page's URL). */
function savedServer(accounts: Account[], address: string): ServerSettings | null {
  return accounts.find((a) => a.address === address)?.server ?? null;
}

/** `inPopup`: rendered in the toolbar popup. `form`: open this password form at once (app page URL). */
export function EmailSettings(props: { inPopup?: boolean; form?: PasswordForm }) {
  const [core, setCore] = useState<{ state: "loading" | "ready" | "error"; text: string }>({
    state: "loading",
    text: "Starting…",
  });
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  // null: the list; "new": the connect flow; a form: a password inbox's form.
  const [connecting, setConnecting] = useState<null | "new" | PasswordForm>(props.form ?? null);

  const refresh = useCallback(() => {
    call<Account[]>({ type: "listAccounts" })
      .then(setAccounts)
      // Without the list, forms start blank rather than wait for ever.
      .catch(() => setAccounts((old) => old ?? []));
  }, []);

  useEffect(() => {
    call<PingReply>({ type: "ping" })
      .then((r) => setCore({ state: "ready", text: `Inlay is running (core ${r.core}).` }))
      .catch((e: unknown) => setCore({ state: "error", text: errorText(e) }));
    refresh();
    const listener = (message: unknown) => {
      if ((message as { event?: string } | null)?.event === "accountsChanged") refresh();
    };
    chrome.runtime.onMessage.addListener(listener);
    return () => chrome.runtime.onMessage.removeListener(listener);
  }, [refresh]);

  return (
    <main>
      <p id="core-status" role="status" aria-live="polite" data-state={core.state}>
        {core.text}
      </p>
      {connecting === null ? (
        <>
          <section aria-labelledby="accounts-heading">
            <h2 id="accounts-heading">Your inboxes</h2>
            <Accounts accounts={accounts ?? []} onChanged={refresh} onReconnectWithPassword={setConnecting} />
          </section>
          <button id="connect-personal" onClick={() => setConnecting("new")}>
            Connect personal email
          </button>
        </>
      ) : connecting !== "new" && accounts === null ? (
        <p class="progress" role="status">
          Loading your inboxes…
        </p>
      ) : (
        <ConnectFlow
          form={connecting === "new" ? undefined : connecting}
          // Reconnecting starts from the inbox's saved servers, not from discovery again.
          saved={connecting === "new" ? null : savedServer(accounts ?? [], connecting.address)}
          inPopup={props.inPopup}
          onDone={() => {
            setConnecting(null);
            refresh();
          }}
          onCancel={() => {
            setConnecting(null);
            refresh();
          }}
        />
      )}
    </main>
  );
}
