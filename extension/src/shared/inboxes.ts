// What the worker tells pages about inboxes and detection. Mirrors the core's
// serde shapes (core/src/connection, core/src/detect, core/src/oauth).

/** The ways an inbox connects: the core's `ConnectionKind`, the one list of them in TypeScript. */
export const CONNECTION_KINDS = ["google", "microsoft", "exchange", "imap"] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

/** The kinds that connect with a password the user types (no sign-in window). */
export type PasswordKind = Extract<ConnectionKind, "exchange" | "imap">;

export function isPasswordKind(kind: ConnectionKind): kind is PasswordKind {
  return kind === "exchange" || kind === "imap";
}

export type ConnectionState =
  | { kind: "notConnected" }
  | { kind: "detecting"; address: string }
  | { kind: "awaitingConsent"; address: string; connect: ConnectionKind }
  | { kind: "authorizing"; address: string; connect: ConnectionKind; startedAtMs: number }
  | { kind: "verifying"; address: string; connect: ConnectionKind }
  | { kind: "connected"; address: string; connect: ConnectionKind; aliases: string[]; connectedAtMs: number }
  | {
      kind: "needsReauthentication";
      address: string;
      connect: ConnectionKind;
      aliases: string[];
      connectedAtMs: number;
      code: string;
      reason: string;
    }
  | { kind: "disconnected"; address: string; disconnectedAtMs: number };

/** How a password inbox reaches its server (no secrets: those stay in the worker's store). */
export type ServerSettings =
  | { kind: "exchange"; ewsUrl: string; username: string; serverVersion: string | null }
  | {
      kind: "imap";
      settings: MailSettings;
      /** The certificates the user reviewed and accepted, per server (base64 SPKI SHA-256); null: must verify. */
      pinnedCertificates: PinnedCertificates;
      /** Records from before pins: "trust any certificate", until the next successful check moves them to pins (the core decides). */
      trustAnyCertificate?: boolean;
      /** The core's words for a change the user should hear about (the move from "trust any" to pins), until they dismiss it. */
      notice?: string | null;
      /** Append sent mail to the Sent folder over IMAP (the core's rule: not where the provider files it itself). */
      appendToSent: boolean;
    };

export interface PinnedCertificates {
  imap: string | null;
  smtp: string | null;
}

/** A server certificate as the mail helper describes it for review (bridge/README.md). */
export interface ServerCertificate {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  /** Base64 SHA-256 of the public key (SubjectPublicKeyInfo): what is pinned. */
  spkiSha256: string;
}

/** The core's IMAP/SMTP settings (core/src/mailconfig). */
export interface MailServer {
  host: string;
  port: number;
  security: "implicitTls" | "startTls";
  username: string;
}

export interface MailSettings {
  imap: MailServer;
  smtp: MailServer;
  sameCredentials: boolean;
}

export interface Account {
  address: string;
  connect: ConnectionKind;
  displayName: string | null;
  /** The provider's account type (e.g. Microsoft personal vs work), for revocation. */
  accountType: string | null;
  automation: boolean;
  state: ConnectionState;
  /** Exchange and IMAP only: the server, found or entered when connecting. */
  server?: ServerSettings;
  /** A problem to show beside the inbox (e.g. the admin also made it a team inbox); not stored. */
  warning?: string | null;
}

export type Verdict =
  | { kind: "supported"; connect: ConnectionKind }
  | { kind: "unsupported"; reason: string; suggestion: string }
  | { kind: "chooseManually"; reason: string };

export interface Detection {
  address: string;
  domain: string;
  serviceName: string;
  confidence: "low" | "medium" | "high";
  evidence: string[];
  verdict: Verdict;
  choices: ConnectionKind[];
}

/** The answer to "Check connection": how it went and, unless it went well, the core's words for why. */
export interface CheckResult {
  outcome: "ok" | "needsReauthentication" | "later" | "failed";
  message: string | null;
}

export interface ScopeInfo {
  scope: string;
  explanation: string;
  requiredForFeature: boolean;
}

export interface Disclosure {
  providerName: string;
  scopes: ScopeInfo[];
}

/** Each kind's name as the pages and the worker's own sentences show it. */
export const KIND_NAMES: Record<ConnectionKind, string> = {
  google: "Gmail",
  microsoft: "Microsoft",
  exchange: "Exchange",
  imap: "IMAP",
};

/** Plain words for a state, as shown beside each inbox. */
export function describeState(state: ConnectionState): string {
  switch (state.kind) {
    case "notConnected":
      return "Not connected";
    case "detecting":
      return "Identifying the provider…";
    case "awaitingConsent":
      return "Waiting for you to continue";
    case "authorizing":
      return "Waiting for sign-in…";
    case "verifying":
      return "Checking the account…";
    case "connected":
      return "Connected";
    case "needsReauthentication":
      return `Needs you to sign in again: ${state.reason}`;
    case "disconnected":
      return "Disconnected";
  }
}
