// The "Connect personal email" flow, shared by the popup and the app page's
// Settings › Email. Screens only: the worker and the core decide everything
// (detection, scopes, sign-in, verification); this file keeps track of which
// screen is showing and shows progress and errors in the worker's words.
import { useEffect, useRef, useState } from "preact/hooks";
import { Choices } from "./Choices.js";
import { useAutofocus } from "./focus.js";
import { CONNECTION_KINDS, KIND_NAMES, type Account, type ConnectionKind, type Detection, type Disclosure, type ServerSettings } from "../shared/inboxes.js";
import { call, errorText, type ConnectReply } from "../shared/messages.js";
import { ExchangeForm } from "./ExchangeForm.js";
import { ImapForm } from "./ImapForm.js";

type Screen =
  | { name: "start" }
  | { name: "email"; busy: boolean }
  | { name: "provider"; detection: Detection; choosing: boolean }
  | { name: "disclosure"; connect: ConnectionKind; disclosure: Disclosure; detection: Detection | null }
  | { name: "connecting"; connect: ConnectionKind }
  | { name: "exchange" }
  | { name: "imap"; detection: Detection | null }
  | { name: "connected"; account: Account };

/** A password inbox's form (Exchange, IMAP), opened directly: to reconnect, or continued from the popup. */
export interface PasswordForm {
  address: string;
  connect: "exchange" | "imap";
  automation: boolean;
}

/**
 * The popup closes as soon as the browser's permission prompt takes focus, so
 * the password forms (which ask for host permissions) continue in a tab.
 */
function continueInTab(form: PasswordForm) {
  const params = new URLSearchParams({ connect: form.connect, address: form.address, automation: String(form.automation) });
  void chrome.tabs.create({ url: chrome.runtime.getURL(`app.html#${params}`) }).then(() => window.close());
}

/** The form an app page URL asks for (`app.html#connect=exchange&address=…`), if any. */
export function formFromHash(hash: string): PasswordForm | undefined {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const connect = params.get("connect");
  const address = params.get("address");
  if ((connect !== "exchange" && connect !== "imap") || !address) return undefined;
  return { connect, address, automation: params.get("automation") !== "false" };
}

export function ConnectFlow(props: {
  onDone: () => void;
  onCancel: () => void;
  form?: PasswordForm;
  /** The inbox's saved servers, when its form reopens to reconnect. */
  saved?: ServerSettings | null;
  inPopup?: boolean;
}) {
  const [screen, setScreen] = useState<Screen>(
    props.form ? (props.form.connect === "exchange" ? { name: "exchange" } : { name: "imap", detection: null }) : { name: "start" },
  );
  const [automation, setAutomation] = useState(props.form?.automation ?? true);
  const [address, setAddress] = useState(props.form?.address ?? "");
  const [error, setError] = useState<string | null>(null);
  // A late reply from an abandoned step must not move the flow.
  const generation = useRef(0);
  // Exchange's form asks for host permissions, which close the popup: reconnecting from the popup goes on in a tab.
  useEffect(() => {
    if (props.form?.connect === "exchange" && props.inPopup) continueInTab(props.form);
  }, []);

  const go = (next: Screen) => {
    setError(null);
    setScreen(next);
  };

  async function detect() {
    const mine = ++generation.current;
    go({ name: "email", busy: true });
    try {
      const detection = await call<Detection>({ type: "detect", address });
      if (mine !== generation.current) return;
      go({ name: "provider", detection, choosing: detection.verdict.kind === "chooseManually" });
    } catch (e) {
      if (mine !== generation.current) return;
      setScreen({ name: "email", busy: false });
      setError(errorText(e));
    }
  }

  async function disclose(kind: ConnectionKind, detection: Detection | null) {
    // Password inboxes have no provider consent screen: their form explains what happens.
    // The popup checks for the mail helper itself (and shows how to install it) before handing over.
    if (kind === "exchange" && props.inPopup) return continueInTab({ connect: kind, address, automation });
    if (kind === "exchange") return go({ name: "exchange" });
    if (kind === "imap") return go({ name: "imap", detection });
    try {
      const disclosure = await call<Disclosure>({ type: "disclosure", connect: kind, automation });
      go({ name: "disclosure", connect: kind, disclosure, detection });
    } catch (e) {
      setError(errorText(e));
    }
  }

  async function connect(kind: ConnectionKind) {
    const mine = ++generation.current;
    go({ name: "connecting", connect: kind });
    try {
      const reply = await call<ConnectReply>({ type: "connect", address, connect: kind, automation });
      if (mine !== generation.current) return;
      // The person ended the sign-in: back to the start, nothing to report.
      go(reply.kind === "connected" ? { name: "connected", account: reply.account } : { name: "start" });
    } catch (e) {
      if (mine !== generation.current) return;
      setScreen({ name: "start" });
      setError(errorText(e));
    }
  }

  async function cancel() {
    generation.current++;
    if (screen.name === "connecting") {
      await call({ type: "cancelConnect", address }).catch(() => undefined);
    }
    props.onCancel();
  }

  return (
    <section class="connect" aria-labelledby="connect-heading">
      <h2 id="connect-heading">Connect personal email</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {renderScreen()}
    </section>
  );

  function renderScreen() {
    switch (screen.name) {
      case "start":
        return <StartScreen automation={automation} setAutomation={setAutomation} onNext={() => go({ name: "email", busy: false })} onCancel={cancel} />;
      case "email":
        return <EmailScreen address={address} setAddress={setAddress} busy={screen.busy} onSubmit={detect} onCancel={cancel} />;
      case "provider":
        return (
          <ProviderScreen
            detection={screen.detection}
            choosing={screen.choosing}
            onChoose={(kind) => disclose(kind, screen.detection)}
            onChooseManually={() => setScreen({ ...screen, choosing: true })}
            onCancel={cancel}
          />
        );
      case "disclosure": {
        const { detection } = screen;
        return (
          <DisclosureScreen
            disclosure={screen.disclosure}
            onContinue={() => connect(screen.connect)}
            onBack={() => go(detection ? { name: "provider", detection, choosing: false } : { name: "email", busy: false })}
          />
        );
      }
      case "connecting":
        return <ConnectingScreen connect={screen.connect} onCancel={cancel} />;
      case "exchange":
        return (
          <ExchangeForm
            address={address}
            automation={automation}
            saved={props.saved?.kind === "exchange" ? props.saved : null}
            onConnected={(account) => go({ name: "connected", account })}
            onCancel={props.onCancel}
          />
        );
      case "connected":
        return <ConnectedScreen account={screen.account} onDone={props.onDone} />;
      case "imap": {
        const { detection } = screen;
        return (
          <ImapForm
            address={address}
            automation={automation}
            saved={props.saved?.kind === "imap" ? props.saved : null}
            onConnected={(account) => go({ name: "connected", account })}
            onBack={() => (detection ? go({ name: "provider", detection, choosing: false }) : props.onCancel())}
            onHelperReady={props.inPopup ? () => continueInTab({ connect: "imap", address, automation }) : undefined}
          />
        );
      }
    }
  }
}

function StartScreen(p: { automation: boolean; setAutomation: (on: boolean) => void; onNext: () => void; onCancel: () => void }) {
  return (
    <div>
      <label class="check">
        <input type="checkbox" checked={p.automation} onChange={(e) => p.setAutomation(e.currentTarget.checked)} />
        Turn on inbox automation
      </label>
      <p class="hint">Lets Inlay log replies and run follow-ups for this inbox. You can change it later.</p>
      <Choices main={{ label: "Connect your inbox", onClick: p.onNext }} others={[{ label: "Cancel", onClick: p.onCancel }]} />
    </div>
  );
}

function EmailScreen(p: {
  address: string;
  setAddress: (a: string) => void;
  busy: boolean;
  onSubmit: () => void;
  onCancel: () => void;
}) {
  const input = useAutofocus<HTMLInputElement>();
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (!p.busy) p.onSubmit();
      }}
    >
      <label for="connect-email">Your email address</label>
      <input
        id="connect-email"
        ref={input}
        type="email"
        autocomplete="email"
        required
        value={p.address}
        disabled={p.busy}
        onInput={(e) => p.setAddress(e.currentTarget.value)}
      />
      {p.busy && (
        <p class="progress" role="status">
          Identifying your email provider…
        </p>
      )}
      <div class="actions">
        <button type="submit" disabled={p.busy}>
          Next
        </button>
        <button type="button" class="secondary" onClick={p.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ProviderScreen(p: {
  detection: Detection;
  choosing: boolean;
  onChoose: (kind: ConnectionKind) => void;
  onChooseManually: () => void;
  onCancel: () => void;
}) {
  const { detection } = p;
  const first = useAutofocus<HTMLButtonElement>();
  const verdict = detection.verdict;
  const offered: ConnectionKind[] = p.choosing
    ? [...CONNECTION_KINDS]
    : verdict.kind === "supported"
      ? [verdict.connect]
      : [];
  return (
    <div>
      {verdict.kind === "unsupported" ? (
        <div class="error" role="alert">
          <p>{verdict.reason}</p>
          <p>{verdict.suggestion}</p>
        </div>
      ) : verdict.kind === "chooseManually" ? (
        <p>{verdict.reason}</p>
      ) : (
        <p>
          {detection.address} is hosted by <strong>{detection.serviceName}</strong>.
        </p>
      )}
      <ul class="evidence" aria-label="Why Inlay decided this">
        {detection.evidence.map((line) => (
          <li>{line}</li>
        ))}
      </ul>
      <div class="actions">
        {offered.map((kind, i) => (
          <button ref={i === 0 ? first : undefined} onClick={() => p.onChoose(kind)}>
            Connect to {KIND_NAMES[kind]}
          </button>
        ))}
        <button class="secondary" onClick={p.onCancel}>
          Cancel
        </button>
      </div>
      {!p.choosing && (
        <p>
          <a
            href="#"
            onClick={(e) => {
              e.preventDefault();
              p.onChooseManually();
            }}
          >
            I want to choose my email provider myself
          </a>
        </p>
      )}
    </div>
  );
}

function DisclosureScreen(p: { disclosure: Disclosure; onContinue: () => void; onBack: () => void }) {
  return (
    <div>
      <h3>What to expect</h3>
      <p>
        {p.disclosure.providerName} will ask you to allow Inlay to do the following. Inlay asks only for what the
        features you turned on need.
      </p>
      <ul class="scopes">
        {p.disclosure.scopes.map((s) => (
          <li>
            <span class="why">{s.explanation}</span> <code>{s.scope}</code>
          </li>
        ))}
      </ul>
      <Choices main={{ label: "Continue", onClick: p.onContinue }} others={[{ label: "Back", onClick: p.onBack }]} />
    </div>
  );
}

function ConnectingScreen(p: { connect: ConnectionKind; onCancel: () => void }) {
  const button = useAutofocus<HTMLButtonElement>();
  return (
    <div>
      <p class="progress" role="status">
        Waiting for you to sign in with {KIND_NAMES[p.connect]}… Finish in the window that opened.
      </p>
      <div class="actions">
        <button ref={button} class="secondary" onClick={p.onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function ConnectedScreen(p: { account: Account; onDone: () => void }) {
  const aliases = p.account.state.kind === "connected" ? p.account.state.aliases : [];
  return (
    <div>
      <p class="success" role="status">
        Connected <strong>{p.account.address}</strong>.
      </p>
      {aliases.length > 0 && (
        <>
          <p>You can also send as:</p>
          <ul class="aliases">
            {aliases.map((a) => (
              <li>{a}</li>
            ))}
          </ul>
        </>
      )}
      <Choices main={{ label: "Done", onClick: p.onDone }} />
    </div>
  );
}
