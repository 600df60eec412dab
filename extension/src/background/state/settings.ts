// Where the worker's settings come from: the build's config.json (OAuth
// client IDs chosen at build time) overridden by the admin's managed policy
// (chrome.storage.managed, schema in policy-schema.json). The core reads
// both (core/src/accounts/policy.rs): a policy value of the wrong shape is
// ignored, and the core says which and why (the app page shows it). Nothing
// is hard-coded: a build without client IDs says so instead of guessing.
import { readSettings } from "../../../../build/wasm/inlay_connect.js";
import type { ConnectionKind } from "../../shared/inboxes.js";
import type { IgnoredSetting } from "../../shared/messages.js";
import type { OAuthClient } from "../core/types.js";

/** The core's `Settings`. */
export interface Settings {
  googleClientId?: string;
  googleClientSecret?: string;
  microsoftClientId?: string;
  seat: "full" | "viewOnly";
  teamInboxes: string[];
  allowedProviders: ConnectionKind[] | null;
  /** Admin-configured IMAP/SMTP settings per domain (`[{domain, settings}]`); the core checks each shape. */
  mailSettings: unknown[];
  /** The outbox's wait before a Sent lookup: the build's config.json only (the core bounds it). */
  outbox?: { lookupGraceMs: number };
}

/** The settings in force, and what of the policy was ignored. */
export interface SettingsReading {
  settings: Settings;
  ignored: IgnoredSetting[];
}

/** The core's reading of build config and policy: policy wins key by key where its value has the right shape. */
export function mergeSettings(build: unknown, policy: unknown): SettingsReading {
  // As JSON text: the module reads it with the JSON reader it has anyway.
  return readSettings(JSON.stringify(build ?? null), JSON.stringify(policy ?? null)) as SettingsReading;
}

async function buildConfig(): Promise<unknown> {
  try {
    const res = await fetch(chrome.runtime.getURL("config.json"));
    return res.ok ? ((await res.json()) as unknown) : {};
  } catch {
    return {};
  }
}

async function managedPolicy(): Promise<unknown> {
  try {
    return await chrome.storage.managed.get(null);
  } catch {
    return {}; // no policy set (or a browser without managed storage)
  }
}

/** The settings in force now and what of the policy was ignored (policy can change while the worker runs). */
export async function readSettingsNow(): Promise<SettingsReading> {
  const [build, policy] = await Promise.all([buildConfig(), managedPolicy()]);
  return mergeSettings(build, policy);
}

/** The settings in force now. */
export async function loadSettings(): Promise<Settings> {
  return (await readSettingsNow()).settings;
}

/** `policyStatus`: what of the admin's policy was ignored, also written to the worker's log for the admin. */
export async function policyStatus(): Promise<{ ignored: IgnoredSetting[] }> {
  const { ignored } = await readSettingsNow();
  for (const problem of ignored) console.warn(`Inlay: ${problem.message}`);
  return { ignored };
}

/** The OAuth client for a provider, or null when this build and policy have none. */
export function oauthClient(settings: Settings, kind: ConnectionKind): OAuthClient | null {
  if (kind === "google" && settings.googleClientId) {
    return { clientId: settings.googleClientId, clientSecret: settings.googleClientSecret ?? null };
  }
  if (kind === "microsoft" && settings.microsoftClientId) return { clientId: settings.microsoftClientId, clientSecret: null };
  return null;
}
