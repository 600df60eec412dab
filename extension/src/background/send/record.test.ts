// What an email composed from a record gets from it: To (a contact's
// primary address; a deal's contacts') and the template tokens in the
// CRM's field spelling, empty fields left out (so compose refuses a token
// with no value or takes its fallback). fake-indexeddb with the CRM stores.
import "fake-indexeddb/auto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { openDB, type IDBPDatabase } from "idb";
import { upgradeCrm, withIndexKeys } from "../crm/schema.js";
import { recordContext, senderTokens } from "./record.js";

const contact = (id: string, first: string, last: string, emails: string[], more: Record<string, unknown> = {}) =>
  withIndexKeys("contacts", {
    id,
    emails,
    emailKeys: emails,
    firstName: first,
    lastName: last,
    jobTitle: "",
    phone: "",
    companyId: "co_a",
    owner: null,
    lifecycleStage: null,
    leadStatus: null,
    custom: {},
    searchKeys: [],
    sortName: first,
    lastActivityAt: null,
    ...more,
  });

test("a contact's and a deal's recipients and tokens", async () => {
  const db = (await openDB("crm-for-send", 3, { upgrade: (d, old) => upgradeCrm(d as IDBPDatabase<unknown>, old) })) as IDBPDatabase<unknown>;
  await db.put("companies", withIndexKeys("companies", { id: "co_a", name: "Northwind", domains: ["northwind.example"], searchKeys: [], sortName: "n", lastActivityAt: null }));
  await db.put("contacts", contact("ct_a", "Lena", "Okafor", ["lena@northwind.example", "l.o@home.example"], { custom: { region: "EMEA" } }));
  await db.put("contacts", contact("ct_b", "Raj", "", ["raj@northwind.example"]));
  await db.put("contacts", contact("ct_c", "Nomail", "", []));
  await db.put(
    "deals",
    withIndexKeys("deals", {
      id: "dl_a",
      name: "Pilot",
      pipeline: "default",
      stage: "qualified",
      amount: "1250.00",
      currency: "EUR",
      closeDate: null,
      contactIds: ["ct_a", "ct_b", "ct_c"],
      companyId: null,
      searchKeys: [],
      sortName: "p",
      lastActivityAt: null,
    }),
  );

  const one = await recordContext(db, "contact:ct_a");
  assert.deepEqual(one.to, [{ address: "lena@northwind.example", name: "Lena Okafor" }]);
  assert.deepEqual(one.tokens.contact, { firstName: "Lena", lastName: "Okafor", fullName: "Lena Okafor", email: "lena@northwind.example", region: "EMEA" });
  assert.deepEqual(one.tokens.company, { name: "Northwind", domain: "northwind.example" });
  assert.deepEqual(one.tokens.deal, {});

  const deal = await recordContext(db, "deal:dl_a");
  assert.deepEqual(
    deal.to.map((r) => r.address),
    ["lena@northwind.example", "raj@northwind.example"],
    "every contact with an address, the one without left out",
  );
  assert.deepEqual(deal.tokens.deal, { name: "Pilot", pipeline: "default", stage: "qualified", amount: "1250.00", currency: "EUR" });
  assert.equal(deal.tokens.company.name, "Northwind", "the first contact's company when the deal has none");

  assert.deepEqual(await recordContext(db, "contact:ct_gone"), { to: [], tokens: { contact: {}, company: {}, deal: {}, sender: {} } });
  assert.deepEqual(senderTokens("Ann  Archer", "ann@acme.example"), { firstName: "Ann", lastName: "Archer", fullName: "Ann  Archer", email: "ann@acme.example" });
  assert.deepEqual(senderTokens(null, "ann@acme.example"), { email: "ann@acme.example" });
});
