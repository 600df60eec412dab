// The app page's frame: header (brand, the one search box), left navigation,
// the current screen, the toast. Holds what every screen shares (CRM
// settings, toast, announcer) in the app context.
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { PasswordForm } from "../../ui/ConnectFlow.js";
import { EmailSettings } from "../../ui/EmailSettings.js";
import { PolicyNotice } from "../PolicyNotice.js";
import { Drafts } from "../send/Drafts.js";
import { Outbox } from "../send/Outbox.js";
import { crm } from "./api.js";
import { Ctx, type AppContext, type Toast as ToastValue } from "./context.js";
import { DealBoard } from "./DealBoard.js";
import { EmailLogSettings } from "./EmailLogSettings.js";
import { ImportExport } from "./ImportExport.js";
import { Nav } from "./Nav.js";
import { PipelineSettings } from "./PipelineSettings.js";
import { RecentlyDeleted } from "./RecentlyDeleted.js";
import { RecordForm } from "./RecordForm.js";
import { RecordList } from "./RecordList.js";
import { RecordPage } from "./RecordPage.js";
import { type Route, useRoute } from "./route.js";
import { SearchBox } from "./SearchBox.js";
import { TaskList } from "./TaskList.js";
import { Announcer, Toast } from "./Toast.js";
import type { CrmSettings } from "./types.js";

/** `form`: a password form the popup asked for (#connect=…); opens Settings › Email. */
export function Frame(props: { form?: PasswordForm }) {
  const route = useRoute(props.form ? { name: "settings", section: "email" } : undefined);
  const [settings, setSettings] = useState<CrmSettings | null>(null);
  const [toast, setToast] = useState<ToastValue | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const [version, setVersion] = useState(0);

  const reloadSettings = useCallback(() => {
    crm
      .settings()
      .then((r) => setSettings(r.settings))
      .catch(() => setSettings((old) => old));
  }, []);
  useEffect(reloadSettings, [reloadSettings]);

  const ctx = useMemo<AppContext>(
    () => ({
      settings,
      reloadSettings,
      toast: setToast,
      announce: (text) => setAnnouncement((old) => (old === text ? `${text}\u00a0` : text)),
      version,
      changed: () => setVersion((v) => v + 1),
    }),
    [settings, version, reloadSettings],
  );

  // On moving to another screen, focus goes to its heading, so screen readers say where the user is. Not on
  // the first screen: a form the popup opened (#connect=…) keeps the focus it gives its first field.
  const firstScreen = useRef(true);
  useEffect(() => {
    document.title = `${screenName(route)} · Inlay`;
    if (firstScreen.current) {
      firstScreen.current = false;
      return;
    }
    document.querySelector<HTMLElement>("#main h1")?.focus({ preventScroll: true });
  }, [routeKey(route)]);

  return (
    <Ctx.Provider value={ctx}>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/contacts" aria-label="Inlay, contacts">
          <span class="brand-mark" aria-hidden="true">
            in
          </span>
          Inlay
        </a>
        <SearchBox />
      </header>
      <div class="shell">
        <Nav route={route} />
        {/* Settings › Email brings its own <main> (shared with the popup). */}
        <div id="main" class="content" tabIndex={-1} role={isEmail(route) ? undefined : "main"}>
          <PolicyNotice />
          <Screen route={route} form={props.form} />
        </div>
      </div>
      <Toast toast={toast} onClose={() => setToast(null)} onReplace={setToast} />
      <Announcer text={announcement} />
    </Ctx.Provider>
  );
}

/** The tab's title for a screen. */
function screenName(r: Route): string {
  switch (r.name) {
    case "list":
      return r.kind === "contact" ? "Contacts" : r.kind === "company" ? "Companies" : "Deals";
    case "board":
      return "Deal board";
    case "tasks":
      return "Tasks";
    case "record":
      return r.kind === "contact" ? "Contact" : r.kind === "company" ? "Company" : "Deal";
    case "new":
      return `New ${r.kind}`;
    case "import":
      return "Import and export";
    case "outbox":
      return "Outbox";
    case "drafts":
      return "Drafts";
    case "settings":
      return r.section === "email" ? "Email settings" : r.section === "pipelines" ? "Pipelines & owners" : "Recently deleted";
  }
}

function isEmail(r: Route): boolean {
  return r.name === "settings" && r.section === "email";
}

function routeKey(r: Route): string {
  return JSON.stringify(r);
}

function Screen(props: { route: Route; form?: PasswordForm | undefined }): ComponentChildren {
  const r = props.route;
  switch (r.name) {
    case "list":
      return <RecordList key={r.kind} kind={r.kind} />;
    case "board":
      return <DealBoard />;
    case "tasks":
      return <TaskList />;
    case "record":
      return <RecordPage key={`${r.kind}:${r.id}`} kind={r.kind} id={r.id} />;
    case "new":
      return <RecordForm key={r.kind} kind={r.kind} />;
    case "import":
      return <ImportExport />;
    case "outbox":
      return <Outbox />;
    case "drafts":
      return <Drafts />;
    case "settings":
      if (r.section === "pipelines") return <PipelineSettings />;
      if (r.section === "trash") return <RecentlyDeleted />;
      return (
        <section class="email-settings">
          <nav aria-label="Breadcrumb" class="crumbs">
            Settings › Email
          </nav>
          <h1 tabIndex={-1}>Email</h1>
          <p class="lede">The inboxes Inlay reads and sends from.</p>
          <EmailSettings form={props.form} />
          <EmailLogSettings />
        </section>
      );
  }
}
