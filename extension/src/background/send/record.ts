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

/** Token values per record kind, field name as the CRM spells it (core `send::template::TokenContext`). */
export interface TokenContext {
  contact: Record<string, string>;
  company: Record<string, string>;
  deal: Record<string, string>;
  sender: Record<string, string>;
}

export interface RecordContext {
  to: SendRecipient[];
  tokens: TokenContext;
}

const nameOf = (c: Contact) => [c.firstName, c.lastName].filter(Boolean).join(" ");

/** A field with no value is left out: compose then refuses a token naming it, or takes its fallback. */
const filled = (values: Record<string, string | null | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => !!e[1]));

function contactTokens(c: Contact): Record<string, string> {
  return filled({
    firstName: c.firstName,
    lastName: c.lastName,
    fullName: nameOf(c),
    email: c.emails[0],
    jobTitle: c.jobTitle,
    phone: c.phone,
    lifecycleStage: c.lifecycleStage,
    leadStatus: c.leadStatus,
    ...c.custom,
  });
}

function companyTokens(c: Company): Record<string, string> {
  return filled({ name: c.name, domain: c.domains[0] });
}

function recipient(c: Contact): SendRecipient[] {
  const address = c.emails[0];
  return address ? [{ address, name: nameOf(c) || null }] : [];
}

/** The sender's tokens: the inbox's display name and the From address. */
export function senderTokens(name: string | null, address: string): Record<string, string> {
  const [first, ...rest] = (name ?? "").trim().split(/\s+/);
  return filled({ firstName: first, lastName: rest.join(" "), fullName: name?.trim(), email: address });
}

/** The record's recipients and token values; empty when it is gone. */
export async function recordContext(db: IDBPDatabase<unknown>, ref: string): Promise<RecordContext> {
  const parsed = parseRef(ref);
  const tx = db.transaction(["contacts", "companies", "deals"], "readonly");
  const get = async <T>(store: "contacts" | "companies" | "deals", id: string | null | undefined) => {
    if (!id) return undefined;
    const row = (await tx.objectStore(store).get(id)) as Row | undefined;
    return row ? withoutIndexKeys<T>(row) : undefined;
  };
  const context: RecordContext = { to: [], tokens: { contact: {}, company: {}, deal: {}, sender: {} } };
  if (parsed?.kind === "contact") {
    const contact = await get<Contact>("contacts", parsed.id);
    if (contact) {
      const company = await get<Company>("companies", contact.companyId);
      context.to = recipient(contact);
      context.tokens.contact = contactTokens(contact);
      if (company) context.tokens.company = companyTokens(company);
    }
  } else if (parsed?.kind === "deal") {
    const deal = await get<Deal>("deals", parsed.id);
    if (deal) {
      const contacts = (await Promise.all(deal.contactIds.map((id) => get<Contact>("contacts", id)))).filter((c): c is Contact => !!c);
      const company = await get<Company>("companies", deal.companyId ?? contacts[0]?.companyId);
      context.to = contacts.flatMap(recipient);
      if (contacts[0]) context.tokens.contact = contactTokens(contacts[0]);
      if (company) context.tokens.company = companyTokens(company);
      context.tokens.deal = filled({ name: deal.name, pipeline: deal.pipeline, stage: deal.stage, amount: deal.amount, currency: deal.currency, closeDate: deal.closeDate });
    }
  }
  await tx.done;
  return context;
}

/** The tokens the picker offers (core `send::template`'s known fields). */
export const TOKEN_NAMES = [
  "contact.firstName",
  "contact.lastName",
  "contact.fullName",
  "contact.email",
  "contact.jobTitle",
  "contact.phone",
  "company.name",
  "company.domain",
  "deal.name",
  "deal.amount",
  "deal.stage",
  "deal.closeDate",
  "sender.firstName",
  "sender.fullName",
  "sender.email",
] as const;
