// How records read on screen: names, money, dates. Display only; every rule
// about the data is the core's.
import type { AnyRecord, Company, Contact, CrmSettings, Deal, ListKind, Stage } from "./types.js";

export function contactName(c: Contact): string {
  const name = `${c.firstName} ${c.lastName}`.trim();
  return name || c.emails[0] || "Unnamed contact";
}

export function recordTitle(kind: ListKind, r: AnyRecord): string {
  if (kind === "contact") return contactName(r as Contact);
  return (r as Company | Deal).name || (kind === "company" ? "Unnamed company" : "Unnamed deal");
}

export function kindLabel(kind: string, plural = false): string {
  const one: Record<string, string> = { contact: "contact", company: "company", deal: "deal", task: "task", note: "note" };
  const word = one[kind] ?? kind;
  if (!plural) return word;
  return word === "company" ? "companies" : `${word}s`;
}

export function money(amount: string | null, currency: string | null, fallback = "USD"): string {
  if (amount === null || amount === "") return "—";
  const n = Number(amount);
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: currency || fallback, maximumFractionDigits: 0 }).format(n);
  } catch {
    return `${amount} ${currency ?? ""}`.trim();
  }
}

export function dateOnly(iso: string | null): string {
  if (!iso) return "—";
  const [y, m, d] = iso.split("-").map(Number);
  if (!y || !m || !d) return iso;
  return new Date(y, m - 1, d).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
}

export function when(ms: number | null): string {
  if (ms === null) return "—";
  const days = Math.floor((Date.now() - ms) / 86_400_000);
  if (days <= 0) return new Date(ms).toLocaleTimeString(undefined, { hour: "numeric", minute: "2-digit" });
  if (days === 1) return "Yesterday";
  if (days < 7) return `${days} days ago`;
  return new Date(ms).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
}

export function stageOf(settings: CrmSettings | null, pipeline: string, stage: string): Stage | undefined {
  return settings?.pipelines.find((p) => p.id === pipeline)?.stages.find((s) => s.id === stage);
}

export function ownerName(settings: CrmSettings | null, owner: string | null): string {
  if (!owner) return "—";
  return settings?.owners.find((o) => o.id === owner)?.name ?? owner;
}

/** Lifecycle stages HubSpot's contacts carry (display names for the stored ids). */
export const LIFECYCLE: [string, string][] = [
  ["subscriber", "Subscriber"],
  ["lead", "Lead"],
  ["marketingqualifiedlead", "Marketing qualified lead"],
  ["salesqualifiedlead", "Sales qualified lead"],
  ["opportunity", "Opportunity"],
  ["customer", "Customer"],
  ["evangelist", "Evangelist"],
  ["other", "Other"],
];

/** HubSpot's lead statuses (its internal values and labels). */
export const LEAD_STATUS: [string, string][] = [
  ["NEW", "New"],
  ["OPEN", "Open"],
  ["IN_PROGRESS", "In progress"],
  ["OPEN_DEAL", "Open deal"],
  ["UNQUALIFIED", "Unqualified"],
  ["ATTEMPTED_TO_CONTACT", "Attempted to contact"],
  ["CONNECTED", "Connected"],
  ["BAD_TIMING", "Bad timing"],
];

export function leadStatusName(id: string | null): string {
  if (!id) return "—";
  return LEAD_STATUS.find(([k]) => k === id)?.[1] ?? id;
}

export function lifecycleName(id: string | null): string {
  if (!id) return "—";
  return LIFECYCLE.find(([k]) => k === id)?.[1] ?? id;
}

export function initials(text: string): string {
  // Words that start with a letter or digit: "Northwind — pilot" is NP, not N—.
  const words = text.trim().split(/\s+/).filter((w) => /^[\p{L}\p{N}]/u.test(w));
  return ((words[0]?.[0] ?? "") + (words[1]?.[0] ?? "")).toUpperCase() || "?";
}
