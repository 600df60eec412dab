// What the worker tells pages about inboxes and detection. The core's shapes
// are generated from its Rust types (background/core/generated, ts-rs); the
// rest are the worker's own records.
import type { ConnectionKind } from "../background/core/generated/ConnectionKind.js";
import type { ConnectionState } from "../background/core/generated/ConnectionState.js";
import type { Detection } from "../background/core/generated/Detection.js";
import type { Disclosure } from "../background/core/generated/Disclosure.js";
import type { MailSettings } from "../background/core/generated/MailSettings.js";
import type { PinnedCertificates } from "../background/core/generated/PinnedCertificates.js";
import type { ScopeInfo } from "../background/core/generated/ScopeInfo.js";
import type { Server as MailServer } from "../background/core/generated/Server.js";
import type { Verdict } from "../background/core/generated/Verdict.js";
import type { FeatureDisclosure } from "../background/core/generated/FeatureDisclosure.js";
import type { InboxFeatures } from "../background/core/generated/InboxFeatures.js";
import type { OptionalFeature } from "../background/core/generated/OptionalFeature.js";

/** Each kind's name as the pages and the worker's own sentences show it: the core's `ConnectionKind::short_name`, generated. */
export { KIND_NAMES } from "../background/core/generated/KindNames.js";

export type { ConnectionKind, ConnectionState, Detection, Disclosure, MailServer, MailSettings, PinnedCertificates, ScopeInfo, Verdict };
export type { FeatureDisclosure, InboxFeatures, OptionalFeature };

/** The ways an inbox connects: the core's `ConnectionKind`, the one list of them in TypeScript (tsc holds it to the core's). */
export const CONNECTION_KINDS = ["google", "microsoft", "exchange", "imap"] as const satisfies readonly ConnectionKind[];
// tsc stops here if the core gains a kind the list lacks.
export const everyKindListed: [ConnectionKind] extends [(typeof CONNECTION_KINDS)[number]] ? true : never = true;

/** The kinds that connect with a password the user types (no sign-in window). */
export type PasswordKind = Extract<ConnectionKind, "exchange" | "imap">;

export function isPasswordKind(kind: ConnectionKind): kind is PasswordKind {
  return kind === "exchange" || kind === "imap";
}

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

/** A server certificate as the mail helper describes it for review (bridge/README.md). */
export interface ServerCertificate {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  /** Base64 SHA-256 of the public key (SubjectPublicKeyInfo): what is pinned. */
  spkiSha256: string;
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
  /** Optional features (Sent check, deferred delivery) and whether scheduled email leaves with the browser closed; not stored. */
  features?: InboxFeatures | null;
}

/** The answer to "Check connection": how it went and, unless it went well, the core's words for why. */
export interface CheckResult {
  outcome: "ok" | "needsReauthentication" | "later" | "failed";
  message: string | null;
}

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
