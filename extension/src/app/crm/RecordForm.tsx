// Create or edit a contact, a company or a deal. The page sends the editable
// fields; the core checks them (addresses, a stage in its pipeline, an amount
// that is a decimal, a real date) and its refusal is shown in its words.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { errorText } from "../../shared/messages.js";
import { crm } from "./api.js";
import { useApp } from "./context.js";
import { LEAD_STATUS, LIFECYCLE, kindLabel } from "./format.js";
import { RecordPicker, type Picked } from "./RecordPicker.js";
import { go, href } from "./route.js";
import { Skeleton } from "./States.js";
import type { Company, Contact, CrmCommand, Deal, ListKind } from "./types.js";

type Existing = Contact | Company | Deal;

interface Props {
  kind: ListKind;
  existing?: Existing;
  known?: Record<string, string>;
  onDone?: (saved: boolean) => void;
}

/** `existing`: edit it. `known`: titles of associated records already on screen (id -> title). */
export function RecordForm(props: Props) {
  // A deal's pipeline and stage start from the settings: wait for them.
  const { settings } = useApp();
  if (props.kind === "deal" && !settings) return <Skeleton rows={6} label="Loading the form" />;
  return <FormBody {...props} />;
}

function FormBody(props: Props) {
  const { kind } = props;
  const app = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const heading = props.existing ? `Edit ${kindLabel(kind)}` : `New ${kindLabel(kind)}`;
  const fields = useFields(kind, props.existing, props.known ?? {}, app.settings);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await crm.save(fields.command());
      app.changed();
      app.toast({ text: result.message });
      const id = result.record?.id ?? props.existing?.id;
      if (props.onDone) props.onDone(true);
      else if (id) go({ name: "record", kind, id });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const standalone = !props.existing && !props.onDone;
  return (
    <section class={standalone ? "form-screen" : "form-inline"}>
      {standalone ? (
        <>
          <nav aria-label="Breadcrumb" class="crumbs">
            <a href={href({ name: "list", kind })}>{cap(kindLabel(kind, true))}</a> › New
          </nav>
          <h1 tabIndex={-1}>{heading}</h1>
        </>
      ) : (
        <h2>{heading}</h2>
      )}
      <form class="record-form" onSubmit={submit} aria-label={heading} noValidate>
        {fields.body}
        {error !== null && (
          <p class="error form-error" role="alert">
            {error}
          </p>
        )}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? "Saving…" : props.existing ? "Save changes" : `Create ${kindLabel(kind)}`}
          </button>
          <button
            type="button"
            class="secondary"
            onClick={() => (props.onDone ? props.onDone(false) : go({ name: "list", kind }))}
          >
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

function cap(s: string) {
  return s[0]!.toUpperCase() + s.slice(1);
}

function list(text: string): string[] {
  return text
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function Field(props: { label: string; id: string; hint?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

function Text(props: { id: string; label: string; value: string; set: (v: string) => void; hint?: string; type?: "text" | "tel" | "date" | "email"; required?: boolean }) {
  return (
    <Field label={props.label} id={props.id} hint={props.hint}>
      <input
        id={props.id}
        // Preact types each input type apart; these four take the same attributes.
        type={(props.type ?? "text") as "text"}
        value={props.value}
        aria-describedby={props.hint ? `${props.id}-hint` : undefined}
        aria-required={props.required ? "true" : undefined}
        onInput={(e) => props.set(e.currentTarget.value)}
      />
    </Field>
  );
}

function OwnerSelect(props: { value: string; set: (v: string) => void; settings: ReturnType<typeof useApp>["settings"] }) {
  return (
    <Field label="Owner" id="f-owner">
      <select id="f-owner" value={props.value} onChange={(e) => props.set(e.currentTarget.value)}>
        <option value="">No owner</option>
        {props.settings?.owners.map((o) => (
          <option value={o.id} key={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </Field>
  );
}

function Chosen(props: { items: Picked[]; onRemove: (id: string) => void; what: string }) {
  if (props.items.length === 0) return null;
  return (
    <ul class="chips" aria-label={props.what}>
      {props.items.map((p) => (
        <li key={p.id}>
          {p.title}
          <button type="button" class="icon-button" aria-label={`Remove ${p.title}`} onClick={() => props.onRemove(p.id)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

function useFields(kind: ListKind, existing: Existing | undefined, known: Record<string, string>, settings: ReturnType<typeof useApp>["settings"]) {
  const c = existing as Contact | undefined;
  const co = existing as Company | undefined;
  const d = existing as Deal | undefined;
  const [firstName, setFirst] = useState(c?.firstName ?? "");
  const [lastName, setLast] = useState(c?.lastName ?? "");
  const [emails, setEmails] = useState(c?.emails?.join(", ") ?? "");
  const [jobTitle, setJob] = useState(c?.jobTitle ?? "");
  const [phone, setPhone] = useState(c?.phone ?? "");
  const [lifecycle, setLifecycle] = useState(c?.lifecycleStage ?? "");
  const [leadStatus, setLeadStatus] = useState(c?.leadStatus ?? "");
  const [name, setName] = useState((co ?? d)?.name ?? "");
  const [domains, setDomains] = useState(co?.domains?.join(", ") ?? "");
  const [owner, setOwner] = useState(existing?.owner ?? "");
  const firstPipeline = settings?.pipelines[0];
  const [pipeline, setPipeline] = useState(d?.pipeline ?? firstPipeline?.id ?? "");
  const [stage, setStage] = useState(d?.stage ?? firstPipeline?.stages[0]?.id ?? "");
  const [amount, setAmount] = useState(d?.amount ?? "");
  const [currency, setCurrency] = useState(d?.currency ?? settings?.currency ?? "USD");
  const [closeDate, setCloseDate] = useState(d?.closeDate ?? "");
  const companyId = (c ?? d)?.companyId ?? null;
  const [company, setCompany] = useState<Picked | null>(companyId ? { id: companyId, title: known[companyId] ?? "This company" } : null);
  const [contacts, setContacts] = useState<Picked[]>((d?.contactIds ?? []).map((id) => ({ id, title: known[id] ?? "A contact" })));

  const companyField = (
    <Field label="Company" id="f-company">
      {company ? (
        <Chosen items={[company]} what="Company" onRemove={() => setCompany(null)} />
      ) : (
        <RecordPicker id="f-company" kind="company" label="Company" onPick={setCompany} />
      )}
    </Field>
  );
  const stages = settings?.pipelines.find((p) => p.id === pipeline)?.stages ?? [];

  let body: ComponentChildren;
  if (kind === "contact") {
    body = (
      <div class="grid-2">
        <Text id="f-first" label="First name" value={firstName} set={setFirst} />
        <Text id="f-last" label="Last name" value={lastName} set={setLast} />
        <div class="span-2">
          <Text id="f-emails" label="Email addresses" value={emails} set={setEmails} hint="Separate several with commas. The first is the main one." />
        </div>
        <Text id="f-job" label="Job title" value={jobTitle} set={setJob} />
        <Text id="f-phone" label="Phone" type="tel" value={phone} set={setPhone} />
        {companyField}
        <OwnerSelect value={owner} set={setOwner} settings={settings} />
        <Field label="Lifecycle stage" id="f-lifecycle">
          <select id="f-lifecycle" value={lifecycle} onChange={(e) => setLifecycle(e.currentTarget.value)}>
            <option value="">None</option>
            {LIFECYCLE.map(([id, label]) => (
              <option value={id} key={id}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Lead status" id="f-lead">
          <select id="f-lead" value={leadStatus} onChange={(e) => setLeadStatus(e.currentTarget.value)}>
            <option value="">None</option>
            {LEAD_STATUS.map(([id, label]) => (
              <option value={id} key={id}>
                {label}
              </option>
            ))}
          </select>
        </Field>
      </div>
    );
  } else if (kind === "company") {
    body = (
      <div class="grid-2">
        <Text id="f-name" label="Company name" value={name} set={setName} required />
        <Text id="f-domains" label="Domains" value={domains} set={setDomains} hint="For example acme.com. Separate several with commas." />
        <OwnerSelect value={owner} set={setOwner} settings={settings} />
      </div>
    );
  } else {
    body = (
      <div class="grid-2">
        <div class="span-2">
          <Text id="f-name" label="Deal name" value={name} set={setName} required />
        </div>
        <Field label="Pipeline" id="f-pipeline">
          <select
            id="f-pipeline"
            value={pipeline}
            onChange={(e) => {
              setPipeline(e.currentTarget.value);
              setStage(settings?.pipelines.find((p) => p.id === e.currentTarget.value)?.stages[0]?.id ?? "");
            }}
          >
            {settings?.pipelines.map((p) => (
              <option value={p.id} key={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Stage" id="f-stage">
          <select id="f-stage" value={stage} onChange={(e) => setStage(e.currentTarget.value)}>
            {stages.map((s) => (
              <option value={s.id} key={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </Field>
        <Text id="f-amount" label="Amount" value={amount} set={setAmount} hint="A number, for example 12500 or 12500.50." />
        <Text id="f-currency" label="Currency" value={currency} set={setCurrency} hint="A three-letter code such as USD or EUR." />
        <Text id="f-close" label="Close date" type="date" value={closeDate} set={setCloseDate} />
        <OwnerSelect value={owner} set={setOwner} settings={settings} />
        {companyField}
        <Field label="Contacts" id="f-contacts">
          <Chosen items={contacts} what="Contacts" onRemove={(id) => setContacts((cs) => cs.filter((x) => x.id !== id))} />
          <RecordPicker
            id="f-contacts"
            kind="contact"
            label="Add a contact"
            onPick={(p) => setContacts((cs) => (cs.some((x) => x.id === p.id) ? cs : [...cs, p]))}
          />
        </Field>
      </div>
    );
  }

  function command(): CrmCommand {
    const id = existing ? { id: existing.id } : {};
    if (kind === "contact") {
      return {
        op: "saveContact",
        contact: {
          ...id,
          emails: list(emails),
          firstName: firstName.trim(),
          lastName: lastName.trim(),
          jobTitle: jobTitle.trim(),
          phone: phone.trim(),
          companyId: company?.id ?? null,
          owner: owner || null,
          lifecycleStage: lifecycle || null,
          leadStatus: leadStatus.trim() || null,
          custom: c?.custom ?? {},
        },
      };
    }
    if (kind === "company") {
      return { op: "saveCompany", company: { ...id, name: name.trim(), domains: list(domains), owner: owner || null } };
    }
    return {
      op: "saveDeal",
      deal: {
        ...id,
        name: name.trim(),
        pipeline,
        stage,
        amount: amount.trim() || null,
        currency: currency.trim() || null,
        closeDate: closeDate || null,
        contactIds: contacts.map((x) => x.id),
        companyId: company?.id ?? null,
        owner: owner || null,
      },
    };
  }

  return { body, command };
}
