// Sample CRM data for `./build.sh demo`, written through the app page's own
// requests (crmSave, the import's chunks and run) so the demo shows what the
// worker and the core really store: companies, contacts, deals across the
// pipeline's stages, notes, tasks and the timelines they make.

const COMPANIES = [
  ["Northwind Traders", "northwind.example"],
  ["Contoso Pharmaceuticals", "contoso-pharma.example"],
  ["Fabrikam Robotics", "fabrikam.example"],
  ["Tailspin Toys", "tailspin.example"],
  ["Wide World Importers", "wideworld.example"],
  ["Adventure Works Cycles", "adventure-works.example"],
  ["Lucerne Publishing", "lucerne.example"],
  ["Margie's Travel", "margies-travel.example"],
];

const PEOPLE = [
  ["María", "García", "Head of Procurement", "northwind.example", "customer"],
  ["Jonas", "Müller", "CTO", "fabrikam.example", "opportunity"],
  ["Chen", "Wang", "VP Sales", "contoso-pharma.example", "salesqualifiedlead"],
  ["Amara", "Okafor", "Operations Director", "tailspin.example", "opportunity"],
  ["Lukáš", "Novák", "Purchasing Manager", "wideworld.example", "lead"],
  ["Sofia", "Rossi", "Founder", "lucerne.example", "customer"],
  ["Yuki", "Tanaka", "Product Lead", "adventure-works.example", "marketingqualifiedlead"],
  ["Omar", "Haddad", "Finance Director", "margies-travel.example", "lead"],
  ["Elena", "Ivanova", "IT Manager", "northwind.example", "opportunity"],
  ["Priya", "Patel", "COO", "contoso-pharma.example", "customer"],
  ["Liam", "O'Brien", "Buyer", "fabrikam.example", "lead"],
  ["Noah", "Smith", "Office Manager", "tailspin.example", "subscriber"],
];

// [name, company domain, stage index, amount, close date, contacts (indexes into PEOPLE)]
const DEALS = [
  ["Northwind — annual licence", "northwind.example", 0, "48000", "2027-01-31", [0, 8]],
  ["Fabrikam — robotics pilot", "fabrikam.example", 1, "12500", "2026-12-20", [1, 10]],
  ["Contoso — 200 seats", "contoso-pharma.example", 2, "96000", "2027-02-15", [2, 9]],
  ["Tailspin — holiday rush", "tailspin.example", 3, "18750", "2026-12-12", [3]],
  ["Wide World — customs module", "wideworld.example", 4, "33000", "2027-01-10", [4]],
  ["Lucerne — renewal", "lucerne.example", 5, "21000", "2026-11-30", [5]],
  ["Adventure Works — fleet", "adventure-works.example", 1, "64000", "2027-03-01", [6]],
  ["Margie's — pilot", "margies-travel.example", 0, "7500", "2027-01-20", [7]],
  ["Northwind — support add-on", "northwind.example", 2, "9600", "2027-02-01", [0]],
  ["Fabrikam — expansion", "fabrikam.example", 6, "41000", "2026-11-15", [1]],
];

const NOTES = [
  [0, "Call with María: happy with the rollout. She wants the annual licence to include the two new warehouses.\nSend the revised quote by Friday."],
  [1, "Jonas asked for a security review before the pilot. Sent the questionnaire."],
  [2, "Chen is consolidating three vendors; we are on the shortlist with one other."],
  [3, "Amara needs delivery before 12 December for the holiday rush."],
];

const TASKS = [
  [0, "Send the revised quote", 2, "email"],
  [1, "Security review call", 5, "call"],
  [2, "Prepare the 200-seat proposal", 9, "todo"],
  [3, "Confirm delivery dates", -1, "call"],
  [4, "Follow up on the customs module demo", 0, "email"],
];

/** Bulk contacts as a HubSpot export, imported through the import screen's requests. */
function bulkCsv() {
  const first = ["Ava", "Ben", "Chloé", "Dev", "Ewa", "Finn", "Gita", "Hugo", "Ines", "Jae", "Kofi", "Lena", "Mats", "Nia", "Oscar", "Pia"];
  const last = ["Andersen", "Brown", "Costa", "Dubois", "Eriksen", "Fischer", "González", "Horvat", "Ito", "Jensen", "Kowalski", "Lopez"];
  const stages = ["lead", "subscriber", "marketingqualifiedlead", "opportunity", "customer"];
  const rows = ["First Name,Last Name,Email,Company Name,Phone Number,Job Title,Lifecycle Stage"];
  for (let i = 0; i < 60; i++) {
    const [company, domain] = COMPANIES[i % COMPANIES.length];
    const f = first[i % first.length];
    const l = last[(i * 5) % last.length];
    const local = `${f}.${l}`.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    rows.push(`${f},${l},${local}${i}@${domain},"${company}",+1 555 01${String(i).padStart(2, "0")},,${stages[i % stages.length]}`);
  }
  return rows.join("\n");
}

function day(offset) {
  const d = new Date(Date.now() + offset * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/**
 * Seeds the CRM through `crm` (a CrmApp: its page's requests). `bulk`: also
 * import sixty contacts as a HubSpot export. Returns ids of a few records to show.
 */
export async function seedCrm(crm, { bulk = true } = {}) {
  const reading = await crm.value({ type: "crmSettings" });
  const settings = reading.settings ?? reading;
  const owners = [
    { id: "ow_ann", name: "Ann Archer", email: "ann@acme-corp.example" },
    { id: "ow_bob", name: "Bob Baker", email: "bob@contoso.example" },
  ];
  await crm.value({ type: "crmSaveSettings", settings: { ...settings, owners } });
  const pipeline = settings.pipelines[0];

  const companies = {};
  for (const [i, [name, domain]] of COMPANIES.entries()) {
    const saved = await crm.value({
      type: "crmSave",
      command: { op: "saveCompany", company: { name, domains: [domain], owner: owners[i % 2].id } },
    });
    companies[domain] = saved.record.id;
  }
  const contacts = [];
  for (const [i, [firstName, lastName, jobTitle, domain, lifecycleStage]] of PEOPLE.entries()) {
    const local = firstName.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    const saved = await crm.value({
      type: "crmSave",
      command: {
        op: "saveContact",
        contact: {
          emails: [`${local}@${domain}`],
          firstName,
          lastName,
          jobTitle,
          phone: `+1 555 02${String(i).padStart(2, "0")}`,
          companyId: companies[domain],
          owner: owners[i % 2].id,
          lifecycleStage,
          leadStatus: null,
          custom: {},
        },
      },
    });
    contacts.push(saved.record.id);
  }
  const deals = [];
  for (const [i, [name, domain, stage, amount, closeDate, people]] of DEALS.entries()) {
    const saved = await crm.value({
      type: "crmSave",
      command: {
        op: "saveDeal",
        deal: {
          name,
          pipeline: pipeline.id,
          stage: pipeline.stages[0].id,
          amount,
          currency: "USD",
          closeDate,
          contactIds: people.map((p) => contacts[p]),
          companyId: companies[domain],
          owner: owners[i % 2].id,
        },
      },
    });
    deals.push(saved.record.id);
    // Walk it through the stages, as a deal moves: each move is on its timeline.
    for (let s = 1; s <= stage; s++) {
      await crm.value({ type: "crmSave", command: { op: "moveDeal", deal: saved.record.id, stage: pipeline.stages[s].id } });
    }
  }
  for (const [person, body] of NOTES) {
    await crm.value({ type: "crmSave", command: { op: "saveNote", note: { body, related: [`contact:${contacts[person]}`] } } });
  }
  for (const [deal, title, due, kind] of TASKS) {
    await crm.value({
      type: "crmSave",
      command: { op: "saveTask", task: { title, due: day(due), kind, done: false, related: [`deal:${deals[deal]}`], owner: null } },
    });
  }

  // Sixty more contacts, imported as a HubSpot export would be.
  if (!bulk) return { contact: contacts[0], company: companies["northwind.example"], deal: deals[0] };
  const { importId } = await crm.value({ type: "crmImportChunk", importId: null, index: 0, text: bulkCsv() });
  const preview = await crm.value({ type: "crmImportPreview", importId });
  await crm.value({ type: "crmImportRun", importId, mapping: preview.suggestedMapping });
  return { contact: contacts[0], company: companies["northwind.example"], deal: deals[0] };
}
