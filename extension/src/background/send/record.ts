// What a CRM record gives an email composed from it: the recipients (a
// contact's primary address; a deal's contacts') and the values of the
// template tokens (`contact.*`, `company.*`, `deal.*`). Read from the CRM's
// stores; what a token means and how a missing one is refused is compose's.
import type { IDBPDatabase } from "idb";
import type { Company } from "../core/generated/Company.js";
import type { Contact } from "../core/generated/Contact.js";
import type { Deal } from "../core/generated/Deal.js";
import type { SendRecipient } from "../core/generated/SendRecipient.js";
import { parseRef } from "../crm/record.js";
import { withoutIndexKeys, type Row } from "../crm/schema.js";

export interface RecordContext {
  to: SendRecipient[];
  tokens: Record<string, string>;
}

const nameOf = (c: Contact) => [c.firstName, c.lastName].filter(Boolean).join(" ");

function contactTokens(c: Contact): Record<string, string> {
  return {
    "contact.firstname": c.firstName,
    "contact.lastname": c.lastName,
    "contact.fullname": nameOf(c),
    "contact.email": c.emails[0] ?? "",
    "contact.jobtitle": c.jobTitle,
    "contact.phone": c.phone,
  };
}

function companyTokens(c: Company): Record<string, string> {
  return { "company.name": c.name, "company.domain": c.domains[0] ?? "" };
}

function recipient(c: Contact): SendRecipient[] {
  const address = c.emails[0];
  return address ? [{ address, name: nameOf(c) || null }] : [];
}

/** The record's recipients and token values; empty when it is gone. Tokens with no value are left out. */
export async function recordContext(db: IDBPDatabase<unknown>, ref: string): Promise<RecordContext> {
  const parsed = parseRef(ref);
  const tx = db.transaction(["contacts", "companies", "deals"], "readonly");
  const get = async <T>(store: "contacts" | "companies" | "deals", id: string | null | undefined) => {
    if (!id) return undefined;
    const row = (await tx.objectStore(store).get(id)) as Row | undefined;
    return row ? withoutIndexKeys<T>(row) : undefined;
  };
  const context: RecordContext = { to: [], tokens: {} };
  if (parsed?.kind === "contact") {
    const contact = await get<Contact>("contacts", parsed.id);
    if (contact) {
      const company = await get<Company>("companies", contact.companyId);
      context.to = recipient(contact);
      context.tokens = { ...contactTokens(contact), ...(company ? companyTokens(company) : {}) };
    }
  } else if (parsed?.kind === "deal") {
    const deal = await get<Deal>("deals", parsed.id);
    if (deal) {
      const contacts = (await Promise.all(deal.contactIds.map((id) => get<Contact>("contacts", id)))).filter((c): c is Contact => !!c);
      const company = await get<Company>("companies", deal.companyId ?? contacts[0]?.companyId);
      context.to = contacts.flatMap(recipient);
      context.tokens = {
        ...(contacts[0] ? contactTokens(contacts[0]) : {}),
        ...(company ? companyTokens(company) : {}),
        "deal.name": deal.name,
        "deal.amount": deal.amount ?? "",
        "deal.closedate": deal.closeDate ?? "",
      };
    }
  }
  await tx.done;
  context.tokens = Object.fromEntries(Object.entries(context.tokens).filter(([, v]) => v !== ""));
  return context;
}

/** The token names the picker offers (whether or not this record has a value for each). */
export const TOKEN_NAMES = [
  "contact.firstname",
  "contact.lastname",
  "contact.fullname",
  "contact.email",
  "contact.jobtitle",
  "contact.phone",
  "company.name",
  "company.domain",
  "deal.name",
  "deal.amount",
  "deal.closedate",
  "sender.name",
  "sender.email",
] as const;
