// The Exchange (on-premises) part of "Connect personal email": password,
// optional user name and server URL, then Autodiscover. The worker decides
// every step; this form asks the browser for permission to reach the hosts
// the worker names (from the click, as Chrome requires) and asks the user
// before a password goes to a host a redirect, an SRV record or another
// address chose (one question screen for all of them: ConfirmRedirect).
import { useRef, useState } from "preact/hooks";
import { Choices } from "./Choices.js";
import { hostsOf } from "./hosts.js";
import { useAutofocus } from "./focus.js";
import type { Account } from "../shared/inboxes.js";
import { call, errorText, type ExchangeConnectReply, type ExchangeDiscoverReply, type Request } from "../shared/messages.js";

type Reply = ExchangeDiscoverReply | ExchangeConnectReply;

type Stage =
  | { name: "form" }
  | { name: "working"; text: string }
  // `url`: the EWS URL to connect to once allowed; null while discovering.
  | { name: "permission"; origins: string[]; url: string | null; ifRefused: string | null }
  | { name: "confirm"; host: string };

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1) || "your-domain";
}

export function ExchangeForm(props: {
  address: string;
  automation: boolean;
  /** The inbox's saved server, when reconnecting: its URL and user name are filled in. */
  saved?: { ewsUrl: string; username: string } | null;
  onConnected: (account: Account) => void;
  onCancel: () => void;
}) {
  const [stage, setStage] = useState<Stage>({ name: "form" });
  const [password, setPassword] = useState("");
  const { saved } = props;
  const [username, setUsername] = useState(saved && saved.username !== props.address ? saved.username : "");
  const [ewsUrl, setEwsUrl] = useState(saved?.ewsUrl ?? "");
  const [showOptional, setShowOptional] = useState(Boolean(saved));
  const [error, setError] = useState<string | null>(null);
  /** The core's EWS URL suggestion, once Autodiscover gave one. */
  const [suggestion, setSuggestion] = useState<string | null>(null);
  const passwordInput = useAutofocus<HTMLInputElement>();
  const urlInput = useRef<HTMLInputElement>(null);
  const generation = useRef(0);
  const { address } = props;


  /** Shows the form again with the worker's words (and the URL field, with the core's suggestion, when one can help). */
  function backToForm(message: string, suggestedUrl: string | null) {
    setStage({ name: "form" });
    setError(message);
    if (suggestedUrl) {
      setSuggestion(suggestedUrl);
      setShowOptional(true);
      setTimeout(() => urlInput.current?.focus(), 0);
    }
  }

  /** `url`: the EWS URL being connected to, or null while discovering. */
  async function handle(reply: Reply, url: string | null, mine: number): Promise<void> {
    if (mine !== generation.current) return;
    switch (reply.kind) {
      case "connected":
        props.onConnected(reply.account);
        return;
      case "found":
        setEwsUrl(reply.ewsUrl);
        return connect(reply.ewsUrl, mine);
      case "needsPermission":
        setStage({ name: "permission", origins: reply.origins, url, ifRefused: "ifRefused" in reply ? reply.ifRefused : null });
        return;
      case "confirmRedirect":
        setStage({ name: "confirm", host: reply.host });
        return;
      case "failed":
        backToForm(reply.message, reply.suggestedUrl ?? null);
        return;
    }
  }


  async function run(request: () => Promise<Reply>, url: string | null, text: string, mine: number) {
    setError(null);
    setStage({ name: "working", text });
    try {
      await handle(await request(), url, mine);
    } catch (e) {
      if (mine === generation.current) backToForm(errorText(e), null);
    }
  }

  function connect(url: string, mine: number) {
    const host = (() => {
      try {
        return new URL(url).hostname;
      } catch {
        return url;
      }
    })();
    return run(
      () =>
        call<Reply>({
          type: "exchangeConnect",
          address,
          password,
          username: username.trim() || null,
          ewsUrl: url,
          automation: props.automation,
        }),
      url,
      `Checking your password with ${host}…`,
      mine,
    );
  }

  /** A discovery step: started, or resumed with the user's answer. */
  function discover(request: Request, mine: number) {
    return run(() => call<Reply>(request), null, "Looking for your Exchange server…", mine);
  }

  function submit() {
    const mine = ++generation.current;
    if (ewsUrl.trim()) return connect(ewsUrl.trim(), mine);
    return discover({ type: "exchangeDiscover", address, password, username: username.trim() || null }, mine);
  }

  /** `ifRefused`: the worker's sentence for a refusal while connecting to `url`. */
  async function answerPermission(origins: string[], url: string | null, ifRefused: string | null) {
    const mine = ++generation.current;
    // Called straight from the click: Chrome shows its prompt only for a user gesture.
    let granted = false;
    try {
      granted = await chrome.permissions.request({ origins });
    } catch {
      granted = false;
    }
    if (url !== null) {
      if (!granted) {
        backToForm(ifRefused ?? "", null);
        return;
      }
      return connect(url, mine);
    }
    return discover({ type: "exchangeResume", address, answer: { kind: "permission", granted } }, mine);
  }

  function answerRedirect(accepted: boolean) {
    return discover({ type: "exchangeResume", address, answer: { kind: "confirmed", accepted } }, ++generation.current);
  }

  function cancel() {
    generation.current++;
    void call({ type: "cancelConnect", address }).catch(() => undefined);
    props.onCancel();
  }

  return (
    <div class="exchange">
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {stage.name === "form" && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <p>
            Connect <strong>{address}</strong> to your organisation's Exchange server.
          </p>
          <label for="exchange-password">Password</label>
          <input
            id="exchange-password"
            ref={passwordInput}
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
          <p class="hint">
            If your account uses two-factor authentication, use an app password from your account's security settings
            instead of your usual password.
          </p>
          <label class="check">
            <input type="checkbox" checked={showOptional} onChange={(e) => setShowOptional(e.currentTarget.checked)} />
            Show optional fields
          </label>
          {showOptional && (
            <>
              <label for="exchange-username">User name (if it isn't your email address)</label>
              <input
                id="exchange-username"
                type="text"
                autocomplete="username"
                placeholder="DOMAIN\name"
                value={username}
                onInput={(e) => setUsername(e.currentTarget.value)}
              />
              <label for="exchange-url">Exchange URL (leave empty to find it automatically)</label>
              <input
                id="exchange-url"
                ref={urlInput}
                type="text"
                inputMode="url"
                placeholder={suggestion ?? `https://mail.${domainOf(address)}/EWS/Exchange.asmx`}
                value={ewsUrl}
                onInput={(e) => setEwsUrl(e.currentTarget.value)}
              />
            </>
          )}
          <p class="hint">Inlay keeps your password in this browser only, where web pages can't read it.</p>
          <div class="actions">
            <button type="submit">Connect</button>
            <button type="button" class="secondary" onClick={cancel}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {stage.name === "working" && (
        <div>
          <p class="progress" role="status">
            {stage.text}
          </p>
          <div class="actions">
            <button class="secondary" onClick={cancel}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {stage.name === "permission" && (
        <PermissionPrompt
          origins={stage.origins}
          purpose={stage.url === null ? "discovery" : "connect"}
          onAllow={() => answerPermission(stage.origins, stage.url, stage.ifRefused)}
          onCancel={cancel}
        />
      )}
      {stage.name === "confirm" && (
        <ConfirmRedirect host={stage.host} onAnswer={(accepted) => answerRedirect(accepted)} />
      )}
    </div>
  );
}

function PermissionPrompt(p: { origins: string[]; purpose: "discovery" | "connect"; onAllow: () => void; onCancel: () => void }) {
  return (
    <div class="permission">
      <p>
        {p.purpose === "discovery"
          ? "To find your Exchange server, Inlay needs your browser's permission to contact:"
          : "To check your password, Inlay needs your browser's permission to contact your Exchange server:"}
      </p>
      <ul class="hosts">
        {hostsOf(p.origins).map((host) => (
          <li>{host}</li>
        ))}
      </ul>
      <p class="hint">
        Your browser will ask you to confirm. Inlay contacts only these servers, and sends your password only over an
        encrypted connection.
      </p>
      <Choices main={{ label: "Allow", onClick: p.onAllow }} others={[{ label: "Cancel", onClick: p.onCancel }]} />
    </div>
  );
}

function ConfirmRedirect(p: { host: string; onAnswer: (accepted: boolean) => void }) {
  return (
    <div class="confirm-redirect">
      <p>
        Your domain sent Inlay to another server to find your mailbox: <strong>{p.host}</strong>.
      </p>
      <p>
        Send your Exchange password to {p.host}? Only say yes if you recognise it as your organisation's mail server;
        if you say no, Inlay sends it nothing.
      </p>
      <Choices
        main={{ label: `Yes, use ${p.host}`, onClick: () => p.onAnswer(true) }}
        others={[{ label: "No", onClick: () => p.onAnswer(false) }]}
      />
    </div>
  );
}
