// What every CRM view reads: the CRM settings (owners, pipelines), and the
// app's toast (a message with an optional Undo) and screen-reader announcer.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { CrmSettings } from "./types.js";

export interface Toast {
  text: string;
  /** Shown as a button; the toast closes after it runs. */
  action?: { label: string; run: () => Promise<void> | void };
  error?: boolean;
  /** Resolves when what the toast says is over: it then closes (null) or gives way to the toast given. */
  settle?: Promise<Toast | null>;
}

export interface AppContext {
  settings: CrmSettings | null;
  reloadSettings: () => void;
  toast: (t: Toast) => void;
  /** Polite announcement for screen readers (board moves, list counts). */
  announce: (text: string) => void;
  /** Bumped after every write, so open views read again. */
  version: number;
  changed: () => void;
}

export const Ctx = createContext<AppContext>({
  settings: null,
  reloadSettings: () => {},
  toast: () => {},
  announce: () => {},
  version: 0,
  changed: () => {},
});

export const useApp = () => useContext(Ctx);
