// The records associated with this one: its company, its contacts, its deals.
import { contactName, initials, money } from "./format.js";
import { href } from "./route.js";
import type { Company, Contact, Deal } from "./types.js";

interface Group {
  title: string;
  empty: string;
  items: { id: string; kind: "contact" | "company" | "deal"; title: string; sub: string }[];
}

export function Associations(props: { contacts: Contact[]; companies: Company[]; deals: Deal[]; show: ("contact" | "company" | "deal")[] }) {
  const groups: Group[] = [];
  if (props.show.includes("company")) {
    groups.push({
      title: "Company",
      empty: "No company. Edit to link one.",
      items: props.companies.map((c) => ({ id: c.id, kind: "company", title: c.name, sub: c.domains[0] ?? "" })),
    });
  }
  if (props.show.includes("contact")) {
    groups.push({
      title: "Contacts",
      empty: "No contacts yet.",
      items: props.contacts.map((c) => ({ id: c.id, kind: "contact", title: contactName(c), sub: c.emails[0] ?? "" })),
    });
  }
  if (props.show.includes("deal")) {
    groups.push({
      title: "Deals",
      empty: "No deals yet.",
      items: props.deals.map((d) => ({ id: d.id, kind: "deal", title: d.name, sub: money(d.amount, d.currency) })),
    });
  }
  return (
    <>
      {groups.map((g) => (
        <section class="panel assoc" aria-label={g.title} key={g.title}>
          <h2>
            {g.title} <span class="count-badge">{g.items.length}</span>
          </h2>
          {g.items.length === 0 ? (
            <p class="muted">{g.empty}</p>
          ) : (
            <ul>
              {g.items.map((i) => (
                <li key={i.id}>
                  <span class={`avatar small kind-${i.kind}`} aria-hidden="true">
                    {initials(i.title)}
                  </span>
                  <span class="assoc-text">
                    <a href={href({ name: "record", kind: i.kind, id: i.id })}>{i.title}</a>
                    <span class="hit-sub">{i.sub}</span>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      ))}
    </>
  );
}
