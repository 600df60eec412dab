// Connecting any IMAP/SMTP account: the mail helper check (with install
// instructions when it is missing), settings discovery (after asking the
// browser for the domain's autoconfig hosts, with the reason shown beside the
// button), and the form: email and password, Advanced options (username,
// servers, ports, security, separate outgoing credentials), and the review of
// a server certificate the helper couldn't verify ("Trust this certificate":
// only that one is accepted afterwards). Screens only: the worker and the core
// decide; every text here, discovered evidence and certificate names
// included, is rendered as text, never as HTML.
import { useEffect, useRef, useState } from "preact/hooks";
import { Choices } from "./Choices.js";
import { hostsOf } from "./hosts.js";
import { useAutofocus } from "./focus.js";
import type { Account, MailServer, MailSettings, PinnedCertificates } from "../shared/inboxes.js";
import { call, errorText, InlayError, type FoundSettings, type ImapConnectReply, type ImapStartReply } from "../shared/messages.js";

type Security = MailServer["security"];

/** Settings the form starts from: found by the worker, or the inbox's own when reconnecting. */
type Found = Pick<FoundSettings, "settings" | "confidence" | "evidence"> & { source: FoundSettings["source"] | "saved" };

type Stage =
  | { name: "checking" }
  | { name: "helperMissing"; message: string; installUrl: string }
  | { name: "ask"; origins: string[] }
  | { name: "discovering" }
  | { name: "form"; found: Found | null };

/** What the form holds; ports stay text until sent. */
interface Fields {
  password: string;
  username: string;
  imapHost: string;
  imapPort: string;
  imapSecurity: Security;
  smtpHost: string;
  smtpPort: string;
  smtpSecurity: Security;
  sameCredentials: boolean;
  smtpUsername: string;
  smtpPassword: string;
}

type Review = Extract<ImapConnectReply, { kind: "reviewCertificate" }>;

const NO_PINS: PinnedCertificates = { imap: null, smtp: null };

/** Fields start from what was found, else from the core's usual servers for the address (blank without either). */
function fieldsFrom(address: string, settings: MailSettings | null): Fields {
  return {
    password: "",
    username: settings?.imap.username ?? address,
    imapHost: settings?.imap.host ?? "",
    imapPort: settings ? String(settings.imap.port) : "",
    imapSecurity: settings?.imap.security ?? "implicitTls",
    smtpHost: settings?.smtp.host ?? "",
    smtpPort: settings ? String(settings.smtp.port) : "",
    smtpSecurity: settings?.smtp.security ?? "implicitTls",
    sameCredentials: settings?.sameCredentials ?? true,
    smtpUsername: settings?.smtp.username ?? address,
    smtpPassword: "",
  };
}

/** A port as the core's schema wants it: 0 (which the core names as wrong) for anything but 1..65535. */
function port(text: string): number {
  const n = Number(text.trim());
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : 0;
}

const SOURCE_WORDS: Record<Found["source"], string> = {
  saved: "These are the settings this inbox was connected with.",
  admin: "Your administrator set up these settings.",
  domainAutoconfig: "Found the settings your email provider publishes.",
  ispdb: "Found your provider's settings in Thunderbird's database.",
  mxIspdb: "Found settings for the service that hosts your mail.",
  guess: "No published settings were found, so these are the usual server names: check them under Advanced options.",
};


export function ImapForm(props: {
  address: string;
  automation: boolean;
  onConnected: (account: Account) => void;
  onBack: () => void;
  /** Called instead of going on once the helper answers (the popup continues in a tab). */
  onHelperReady?: () => void;
  /** The inbox's saved settings, when reconnecting: the form starts from them and the certificates accepted before. */
  saved?: { settings: MailSettings; pinnedCertificates?: PinnedCertificates } | null;
}) {
  const { address } = props;
  const [stage, setStage] = useState<Stage>({ name: "checking" });
  const [error, setError] = useState<string | null>(null);
  const [usual, setUsual] = useState<MailSettings | null>(null);

  async function begin() {
    setStage({ name: "checking" });
    setError(null);
    try {
      const start = await call<ImapStartReply>({ type: "imapStart", address });
      setUsual(start.usual);
      if (!start.helper.installed) {
        setStage({ name: "helperMissing", message: start.helper.message, installUrl: start.helper.installUrl });
      } else if (props.onHelperReady) {
        props.onHelperReady();
      } else if (props.saved) {
        setStage({ name: "form", found: { settings: props.saved.settings, source: "saved", confidence: "high", evidence: [] } });
      } else if (start.admin) {
        setStage({ name: "form", found: start.admin });
      } else {
        setStage({ name: "ask", origins: start.origins });
      }
    } catch (e) {
      setError(errorText(e));
      setStage({ name: "form", found: null });
    }
  }

  useEffect(() => void begin(), []);

  /** Runs in the click handler: the browser only shows its permission prompt after a user gesture. */
  function findSettings(origins: string[]) {
    setStage({ name: "discovering" });
    setError(null);
    const asked = origins.length ? chrome.permissions.request({ origins }).catch(() => false) : Promise.resolve(true);
    void asked.then(async () => {
      try {
        // Declined or not: the worker skips hosts it may not read and carries on.
        const found = await call<Found>({ type: "imapDiscover", address });
        setStage({ name: "form", found });
      } catch (e) {
        setError(errorText(e));
        setStage({ name: "form", found: null });
      }
    });
  }

  return (
    <div class="imap">
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {render()}
    </div>
  );

  function render() {
    switch (stage.name) {
      case "checking":
        return (
          <p class="progress" role="status">
            Checking for Inlay's mail helper…
          </p>
        );
      case "helperMissing":
        return <HelperMissing message={stage.message} installUrl={stage.installUrl} onRetry={begin} onBack={props.onBack} />;
      case "ask":
        return <AskDiscovery origins={stage.origins} onFind={() => findSettings(stage.origins)} onManual={() => setStage({ name: "form", found: null })} onBack={props.onBack} />;
      case "discovering":
        return (
          <p class="progress" role="status">
            Looking up the mail settings for {address}…
          </p>
        );
      case "form":
        return (
          <SettingsForm
            address={address}
            automation={props.automation}
            found={stage.found}
            usual={usual}
            pins={stage.found?.source === "saved" && props.saved?.pinnedCertificates ? props.saved.pinnedCertificates : NO_PINS}
            onConnected={props.onConnected}
            onBack={props.onBack}
          />
        );
    }
  }
}

function HelperMissing(p: { message: string; installUrl: string; onRetry: () => void; onBack: () => void }) {
  return (
    <div class="helper-missing" role="alert">
      <h3>Install Inlay's mail helper</h3>
      <p>{p.message}</p>
      <p>
        Browsers can't talk to IMAP and SMTP servers themselves, so Inlay uses a small program on this computer, the
        mail helper. Your passwords stay on this computer.
      </p>
      <ol>
        <li>
          Get <code>inlay-bridge</code> (build it with <code>cargo build --release -p inlay-bridge</code>).
        </li>
        <li>
          Run <code>inlay-bridge install</code> from where it will stay.
        </li>
        <li>Come back here and choose Check again.</li>
      </ol>
      <p>
        <a href={p.installUrl} target="_blank" rel="noopener noreferrer">
          Installation instructions
        </a>
      </p>
      <Choices main={{ label: "Check again", onClick: p.onRetry }} others={[{ label: "Back", onClick: p.onBack }]} />
    </div>
  );
}

function AskDiscovery(p: { origins: string[]; onFind: () => void; onManual: () => void; onBack: () => void }) {
  const hosts = hostsOf(p.origins);
  return (
    <div>
      <p id="imap-why-permission">
        Inlay can look up your mail server settings. Your email provider may publish them on{" "}
        {hosts.map((h, i) => (
          <>
            {i > 0 && " and "}
            <strong>{h}</strong>
          </>
        ))}
        , so your browser will ask you to let Inlay read those sites. If you say no, Inlay still checks
        Thunderbird's database of providers.
      </p>
      <Choices
        main={{ label: "Find my settings", onClick: p.onFind, describedBy: "imap-why-permission" }}
        others={[
          { label: "Enter them myself", onClick: p.onManual },
          { label: "Back", onClick: p.onBack },
        ]}
      />
    </div>
  );
}

function SettingsForm(p: {
  address: string;
  automation: boolean;
  found: Found | null;
  usual: MailSettings | null;
  pins: PinnedCertificates;
  onConnected: (account: Account) => void;
  onBack: () => void;
}) {
  const [f, setF] = useState<Fields>(() => fieldsFrom(p.address, p.found?.settings ?? p.usual));
  // Certificates the user accepted (the saved ones when reconnecting); sent with every attempt.
  const [pins, setPins] = useState<PinnedCertificates>(p.pins);
  const [review, setReview] = useState<Review | null>(null);
  // A guess or nothing found: show the servers so the user checks them.
  const [advanced, setAdvanced] = useState(!p.found || p.found.confidence === "low");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const passwordRef = useAutofocus<HTMLInputElement>();
  const set = <K extends keyof Fields>(key: K, value: Fields[K]) => setF((old) => ({ ...old, [key]: value }));

  async function submit(withPins: PinnedCertificates = pins) {
    setBusy(true);
    setError(null);
    setReview(null);
    const settings: MailSettings = {
      imap: { host: f.imapHost.trim(), port: port(f.imapPort), security: f.imapSecurity, username: f.username.trim() },
      smtp: {
        host: f.smtpHost.trim(),
        port: port(f.smtpPort),
        security: f.smtpSecurity,
        username: f.sameCredentials ? f.username.trim() : f.smtpUsername.trim(),
      },
      sameCredentials: f.sameCredentials,
    };
    try {
      const reply = await call<ImapConnectReply>({
        type: "imapConnect",
        address: p.address,
        automation: p.automation,
        settings,
        password: f.password,
        ...(f.sameCredentials ? {} : { smtpPassword: f.smtpPassword }),
        pinnedCertificates: withPins,
      });
      if (reply.kind === "connected") return p.onConnected(reply.account);
      setBusy(false);
      setReview(reply);
    } catch (e) {
      setBusy(false);
      if (e instanceof InlayError && ["invalidSettings", "invalidMessage"].includes(e.code)) setAdvanced(true);
      setError(errorText(e));
    }
  }

  const text = (id: string, label: string, key: keyof Fields, type: "text" | "password" = "text", autocomplete = "off") => (
    <>
      <label for={id}>{label}</label>
      <input
        id={id}
        // Preact types each input type apart; both are plain text inputs here.
        type={type as "text"}
        autocomplete={autocomplete}
        value={f[key] as string}
        disabled={busy}
        onInput={(e) => set(key, e.currentTarget.value as never)}
      />
    </>
  );
  const security = (id: string, key: "imapSecurity" | "smtpSecurity") => (
    <>
      <label for={id}>Security</label>
      <select id={id} value={f[key]} disabled={busy} onChange={(e) => set(key, e.currentTarget.value as Security)}>
        <option value="implicitTls">SSL/TLS</option>
        <option value="startTls">STARTTLS</option>
      </select>
    </>
  );

  if (review) {
    return (
      <CertificateReview
        review={review}
        onAccept={() => {
          const accepted = { ...pins, [review.server]: review.certificate.spkiSha256 };
          setPins(accepted);
          void submit(accepted);
        }}
        onCancel={() => setReview(null)}
      />
    );
  }

  return (
    <form
      class="imap-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!busy) void submit();
      }}
    >
      {p.found && (
        <div class="found">
          <p>{SOURCE_WORDS[p.found.source]}</p>
          {p.found.evidence.length > 0 && (
            <ul class="evidence" aria-label="How Inlay found these settings">
              {p.found.evidence.map((line) => (
                <li>{line}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <label for="imap-email">Email</label>
      <input id="imap-email" type="email" value={p.address} readOnly />
      <label for="imap-password">Password</label>
      <input
        id="imap-password"
        ref={passwordRef}
        type="password"
        autocomplete="current-password"
        required
        value={f.password}
        disabled={busy}
        onInput={(e) => set("password", e.currentTarget.value)}
      />
      <details open={advanced} onToggle={(e) => setAdvanced(e.currentTarget.open)}>
        <summary>Advanced options</summary>
        {text("imap-username", "Username", "username", "text", "username")}
        <fieldset>
          <legend>Incoming mail (IMAP)</legend>
          {text("imap-host", "IMAP server", "imapHost")}
          {text("imap-port", "IMAP port", "imapPort")}
          {security("imap-security", "imapSecurity")}
        </fieldset>
        <fieldset>
          <legend>Outgoing mail (SMTP)</legend>
          {text("smtp-host", "SMTP server", "smtpHost")}
          {text("smtp-port", "SMTP port", "smtpPort")}
          {security("smtp-security", "smtpSecurity")}
          <label class="check">
            <input
              type="checkbox"
              checked={f.sameCredentials}
              disabled={busy}
              onChange={(e) => set("sameCredentials", e.currentTarget.checked)}
            />
            Outgoing mail uses the same credentials as incoming
          </label>
          {!f.sameCredentials && (
            <>
              {text("smtp-username", "SMTP username", "smtpUsername")}
              {text("smtp-password", "SMTP password", "smtpPassword", "password", "new-password")}
            </>
          )}
        </fieldset>
      </details>
      {busy && (
        <p class="progress" role="status">
          Signing in to your incoming and outgoing mail servers…
        </p>
      )}
      <div class="actions">
        <button type="submit" disabled={busy}>
          Connect
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={p.onBack}>
          Back
        </button>
      </div>
    </form>
  );
}

const SERVER_NAMES = { imap: "incoming mail (IMAP) server", smtp: "outgoing mail (SMTP) server" } as const;

/** The certificate a server presented, for the user to accept (pinned) or not; no password was sent to it. */
function CertificateReview(p: { review: Review; onAccept: () => void; onCancel: () => void }) {
  const { certificate: c, server, host, message } = p.review;
  const buttonRef = useAutofocus<HTMLButtonElement>();
  return (
    <div class="certificate-review" data-server={server} role="alertdialog" aria-labelledby="certificate-review-title" aria-describedby="certificate-review-why">
      <h3 id="certificate-review-title">
        Check the certificate of the {SERVER_NAMES[server]} {host}
      </h3>
      <p id="certificate-review-why">{message}</p>
      <dl class="certificate">
        <dt>Subject</dt>
        <dd data-field="subject">{c.subject || "(none)"}</dd>
        <dt>Issuer</dt>
        <dd data-field="issuer">{c.issuer || "(none)"}</dd>
        <dt>Valid from</dt>
        <dd data-field="notBefore">{c.notBefore}</dd>
        <dt>Valid until</dt>
        <dd data-field="notAfter">{c.notAfter}</dd>
        <dt>Fingerprint (SHA-256 of the public key)</dt>
        <dd data-field="spkiSha256">
          <code>{c.spkiSha256}</code>
        </dd>
      </dl>
      <p class="hint">
        Trust it only if it is your server's: your administrator or provider can confirm the fingerprint. Inlay will then
        accept only this certificate for this server, and stop if it ever changes.
      </p>
      <div class="actions">
        <button type="button" ref={buttonRef} class="secondary" onClick={p.onCancel}>
          Cancel
        </button>
        <button type="button" onClick={p.onAccept}>
          Trust this certificate
        </button>
      </div>
    </div>
  );
}
