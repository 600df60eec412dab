// Hash routes of the app page (#/contacts, #/contact/ct_…, #/deals/board, …).
// The popup's form links (#connect=…) are read by app.tsx before routing.
import { useEffect, useState } from "preact/hooks";
import type { ListKind } from "./types.js";

export type Route =
  | { name: "list"; kind: ListKind }
  | { name: "board" }
  | { name: "tasks" }
  | { name: "record"; kind: ListKind; id: string }
  | { name: "new"; kind: ListKind }
  | { name: "import" }
  | { name: "outbox" }
  | { name: "drafts" }
  | { name: "settings"; section: "email" | "pipelines" | "trash" };

const LISTS: Record<string, ListKind> = { contacts: "contact", companies: "company", deals: "deal" };
const RECORDS: Record<string, ListKind> = { contact: "contact", company: "company", deal: "deal" };

export const HOME: Route = { name: "list", kind: "contact" };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const [head = "", second = ""] = parts;
  if (LISTS[head]) return head === "deals" && second === "board" ? { name: "board" } : { name: "list", kind: LISTS[head]! };
  if (RECORDS[head] && second) return { name: "record", kind: RECORDS[head]!, id: second };
  if (head === "new" && RECORDS[second]) return { name: "new", kind: RECORDS[second]! };
  if (head === "tasks") return { name: "tasks" };
  if (head === "import") return { name: "import" };
  if (head === "outbox" || head === "drafts") return { name: head };
  if (head === "settings") {
    return { name: "settings", section: second === "pipelines" || second === "trash" ? second : "email" };
  }
  return HOME;
}

export function href(route: Route): string {
  switch (route.name) {
    case "list":
      return `#/${listSlug(route.kind)}`;
    case "board":
      return "#/deals/board";
    case "tasks":
      return "#/tasks";
    case "record":
      return `#/${route.kind}/${encodeURIComponent(route.id)}`;
    case "new":
      return `#/new/${route.kind}`;
    case "import":
      return "#/import";
    case "outbox":
    case "drafts":
      return `#/${route.name}`;
    case "settings":
      return `#/settings/${route.section}`;
  }
}

export function listSlug(kind: ListKind): string {
  return kind === "contact" ? "contacts" : kind === "company" ? "companies" : "deals";
}

export function go(route: Route) {
  location.hash = href(route);
}

/** The current route; `initial` applies until the address bar names one (a #connect link's form). */
export function useRoute(initial?: Route): Route {
  const [route, setRoute] = useState<Route>(() => (location.hash ? parseRoute(location.hash) : (initial ?? HOME)));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
