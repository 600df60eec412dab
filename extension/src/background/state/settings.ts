// Where the worker's settings come from: the build's config.json (OAuth
// client IDs chosen at build time) overridden by the admin's managed policy
// (chrome.storage.managed, schema in policy-schema.json). Nothing is
// hard-coded: a build without client IDs says so instead of guessing.
import { CONNECTION_KINDS, type ConnectionKind } from "../../shared/inboxes.js";
import type { OAuthClient } from "../core/types.js";

export interface Settings {
  googleClientId?: string;
  googleClientSecret?: string;
  microsoftClientId?: string;
  seat: "full" | "viewOnly";
  teamInboxes: string[];
  allowedProviders: ConnectionKind[] | null;
  /** Admin-configured IMAP/SMTP settings per domain (`[{domain, settings}]`); the core checks each shape. */
  mailSettings: unknown[];
}

type Partial = { [K in keyof Settings]?: unknown };

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

function mailSettingsList(value: unknown): unknown[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (v) => typeof v === "object" && v !== null && typeof (v as { domain?: unknown }).domain === "string" && typeof (v as { settings?: unknown }).settings === "object",
  );
}

/** Merges build config and policy; policy wins field by field. Ill-typed values are ignored. */
export function mergeSettings(build: Partial, policy: Partial): Settings {
  const pick = (name: keyof Settings) => (policy[name] !== undefined ? policy[name] : build[name]);
  const kinds = strings(pick("allowedProviders"))?.filter((k): k is ConnectionKind => (CONNECTION_KINDS as readonly string[]).includes(k));
  return {
    googleClientId: text(pick("googleClientId")),
    googleClientSecret: text(pick("googleClientSecret")),
    microsoftClientId: text(pick("microsoftClientId")),
    seat: pick("seat") === "viewOnly" ? "viewOnly" : "full",
    teamInboxes: strings(pick("teamInboxes")) ?? [],
    allowedProviders: kinds ?? null,
    mailSettings: mailSettingsList(pick("mailSettings")),
  };
}

async function buildConfig(): Promise<Partial> {
  try {
    const res = await fetch(chrome.runtime.getURL("config.json"));
    return res.ok ? ((await res.json()) as Partial) : {};
  } catch {
    return {};
  }
}

async function managedPolicy(): Promise<Partial> {
  try {
    return (await chrome.storage.managed.get(null)) as Partial;
  } catch {
    return {}; // no policy set (or a browser without managed storage)
  }
}

/** The settings in force now (policy can change while the worker runs). */
export async function loadSettings(): Promise<Settings> {
  const [build, policy] = await Promise.all([buildConfig(), managedPolicy()]);
  return mergeSettings(build, policy);
}

/** The OAuth client for a provider, or null when this build and policy have none. */
export function oauthClient(settings: Settings, kind: ConnectionKind): OAuthClient | null {
  if (kind === "google" && settings.googleClientId) {
    return { clientId: settings.googleClientId, clientSecret: settings.googleClientSecret ?? null };
  }
  if (kind === "microsoft" && settings.microsoftClientId) return { clientId: settings.microsoftClientId, clientSecret: null };
  return null;
}
