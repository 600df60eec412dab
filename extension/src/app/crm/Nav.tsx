// The left navigation: one link per screen, the current one marked for
// screen readers (aria-current) as well as by colour.
import type { Route } from "./route.js";
import { href } from "./route.js";

interface Item {
  label: string;
  route: Route;
  icon: string;
  /** Also current on these route names (a record page under its list). */
  match: (r: Route) => boolean;
}

const CRM: Item[] = [
  { label: "Contacts", icon: "◉", route: { name: "list", kind: "contact" }, match: (r) => kindOf(r) === "contact" },
  { label: "Companies", icon: "▣", route: { name: "list", kind: "company" }, match: (r) => kindOf(r) === "company" },
  { label: "Deals", icon: "◆", route: { name: "list", kind: "deal" }, match: (r) => kindOf(r) === "deal" || r.name === "board" },
  { label: "Tasks", icon: "✓", route: { name: "tasks" }, match: (r) => r.name === "tasks" },
  { label: "Outbox", icon: "✉", route: { name: "outbox" }, match: (r) => r.name === "outbox" || r.name === "drafts" },
  { label: "Import / Export", icon: "⇅", route: { name: "import" }, match: (r) => r.name === "import" },
];

const SETTINGS: Item[] = [
  { label: "Email", icon: "✉", route: { name: "settings", section: "email" }, match: (r) => r.name === "settings" && r.section === "email" },
  {
    label: "Pipelines & owners",
    icon: "☰",
    route: { name: "settings", section: "pipelines" },
    match: (r) => r.name === "settings" && r.section === "pipelines",
  },
  {
    label: "Recently deleted",
    icon: "↺",
    route: { name: "settings", section: "trash" },
    match: (r) => r.name === "settings" && r.section === "trash",
  },
];

function kindOf(r: Route): string | null {
  return r.name === "list" || r.name === "record" || r.name === "new" ? r.kind : null;
}

function Links(props: { items: Item[]; route: Route }) {
  return (
    <ul>
      {props.items.map((item) => {
        const current = item.match(props.route);
        return (
          <li key={item.label}>
            <a href={href(item.route)} aria-current={current ? "page" : undefined}>
              <span class="nav-icon" aria-hidden="true">
                {item.icon}
              </span>
              {item.label}
            </a>
          </li>
        );
      })}
    </ul>
  );
}

export function Nav(props: { route: Route }) {
  return (
    <nav class="side" aria-label="Inlay">
      <Links items={CRM} route={props.route} />
      <h2 class="nav-group" id="nav-settings">
        Settings
      </h2>
      <div role="group" aria-labelledby="nav-settings">
        <Links items={SETTINGS} route={props.route} />
      </div>
    </nav>
  );
}
