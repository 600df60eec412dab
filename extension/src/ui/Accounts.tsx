// The list of inboxes with a plain state for each, and the actions that state
// allows: Reconnect when the provider rejected the tokens, Check connection
// (its outcome said in words), Disconnect, the inbox automation switch, and
// Dismiss for a notice the worker keeps beside an IMAP inbox.
import { useState } from "preact/hooks";
import { describeState, KIND_NAMES, type Account, type CheckResult } from "../shared/inboxes.js";
import { call, errorText, type DisconnectResult } from "../shared/messages.js";
import type { PasswordForm } from "./ConnectFlow.js";
import { deliveryNote, InboxFeatureSwitches } from "./InboxFeatures.js";

function checkNotice(address: string, result: CheckResult): string {
  if (result.outcome === "ok") return `${address} is connected and working.`;
  const why = result.message ?? "The server couldn't be reached.";
  return `${why} Inlay will check ${address} again later.`;
}

export function Accounts(props: {
  accounts: Account[];
  onChanged: () => void;
  onReconnectWithPassword: (form: PasswordForm) => void;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ text: string; link: string | null } | null>(null);

  async function act(address: string, run: () => Promise<unknown>) {
    setBusy(address);
    setError(null);
    setNotice(null);
    try {
      await run();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
      props.onChanged();
    }
  }

  const shown = props.accounts.filter((a) => a.state.kind !== "notConnected");
  if (shown.length === 0) return <p id="accounts-empty">No inbox is connected yet.</p>;
  return (
    <>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p class="notice" role="status">
          {notice.text}{" "}
          {notice.link && (
            <a href={notice.link} target="_blank" rel="noopener noreferrer">
              {notice.link}
            </a>
          )}
        </p>
      )}
      <ul class="accounts">
        {shown.map((account) => {
          const { state, address } = account;
          const working = busy === address;
          return (
            <li class="account" data-address={address} data-state={state.kind}>
              <div class="who">
                <strong>{address}</strong> <span class="kind">{KIND_NAMES[account.connect]}</span>
              </div>
              <div class="state" role="status">
                {working ? "Working…" : describeState(state)}
              </div>
              {account.warning && <div class="warning">{account.warning}</div>}
              {account.server?.kind === "imap" && account.server.notice && (
                <div class="server-notice">
                  {account.server.notice}{" "}
                  <button class="secondary" disabled={working} onClick={() => act(address, () => call({ type: "imapDismissNotice", address }))}>
                    Dismiss
                  </button>
                </div>
              )}
              {state.kind === "connected" && state.aliases.length > 0 && (
                <div class="aliases">Also sends as: {state.aliases.join(", ")}</div>
              )}
              {state.kind === "connected" && account.features && (
                <>
                  <div class="delivery" data-closed={String(account.features.deliversWhileClosed)}>
                    {deliveryNote(account.features)}
                  </div>
                  <InboxFeatureSwitches
                    account={account}
                    features={account.features}
                    disabled={working}
                    act={(run) => void act(address, run)}
                  />
                </>
              )}
              <div class="actions">
                {(state.kind === "needsReauthentication" || state.kind === "disconnected") && (
                  <button
                    disabled={working}
                    onClick={() =>
                      account.connect === "exchange" || account.connect === "imap"
                        ? props.onReconnectWithPassword({ address, connect: account.connect, automation: account.automation })
                        : act(address, () => call({ type: "reconnect", address }))
                    }
                  >
                    {state.kind === "disconnected" ? "Connect again" : "Reconnect"}
                  </button>
                )}
                {(state.kind === "connected" || state.kind === "needsReauthentication") && (
                  <>
                    <label class="check">
                      <input
                        type="checkbox"
                        checked={account.automation}
                        disabled={working}
                        onChange={(e) => {
                          const on = e.currentTarget.checked;
                          void act(address, () => call({ type: "setAutomation", address, on }));
                        }}
                      />
                      Inbox automation
                    </label>
                    {state.kind === "connected" && (
                      <button
                        class="secondary"
                        disabled={working}
                        onClick={() =>
                          act(address, async () => {
                            const result = await call<CheckResult>({ type: "checkAccount", address });
                            if (result.outcome === "failed") throw new Error(result.message ?? `Inlay couldn't check ${address}.`);
                            // "Needs reauthentication" shows in the inbox's own state, with the reason.
                            if (result.outcome !== "needsReauthentication") setNotice({ text: checkNotice(address, result), link: null });
                          })
                        }
                      >
                        Check connection
                      </button>
                    )}
                    <button
                      class="secondary"
                      disabled={working}
                      onClick={() =>
                        act(address, async () => {
                          const result = await call<DisconnectResult>({ type: "disconnect", address });
                          setNotice({
                            text: result.instructions ?? `${address} is disconnected. Its CRM history is kept.`,
                            link: result.consentUrl,
                          });
                        })
                      }
                    >
                      Disconnect
                    </button>
                  </>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </>
  );
}
