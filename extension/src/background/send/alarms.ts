// The `outbox` alarm: wakes the worker at the earliest time an email needs
// it (a scheduled time, a retry, a lookup). The schedule itself lives in the
// outbox store (its `wake` index); the alarm only wakes. While an email is
// being driven, the alarm also stands a little ahead as a guard, so a worker
// stopped mid-send is woken to finish (the core then reads `sending` as
// "may have been sent" and looks in Sent first).
import type { IDBPDatabase } from "idb";
import * as store from "./store.js";

export const OUTBOX_ALARM = "outbox";
/** How soon a stopped drive is picked up again. */
export const GUARD_MS = 30_000;

/** The part of chrome.alarms used here (narrow, for tests). */
export interface Alarms {
  create(name: string, info: { when: number }): Promise<void> | void;
  clear(name: string): Promise<boolean> | void;
  get(name: string): Promise<{ scheduledTime: number } | undefined>;
}

const chromeAlarms = (): Alarms => chrome.alarms as unknown as Alarms;

/** Sets the alarm to the next wake time in the store (or clears it when nothing waits). */
export async function rearm(db: IDBPDatabase<unknown>, alarms: Alarms = chromeAlarms()): Promise<number | null> {
  const next = await store.nextWake(db);
  if (next === null) await alarms.clear(OUTBOX_ALARM);
  else await alarms.create(OUTBOX_ALARM, { when: next });
  return next;
}

/** Puts the alarm no later than `GUARD_MS` from `nowMs` (a drive is starting). */
export async function guard(nowMs: number, alarms: Alarms = chromeAlarms()): Promise<void> {
  const at = nowMs + GUARD_MS;
  const current = await alarms.get(OUTBOX_ALARM);
  if (!current || current.scheduledTime > at) await alarms.create(OUTBOX_ALARM, { when: at });
}

/**
 * Whether a wake-up should catch up now: the alarm is missing its time (the
 * browser was closed, the worker stopped mid-drive). Asked at worker start
 * without loading the core or opening the store.
 */
export async function overdue(nowMs: number, alarms: Alarms = chromeAlarms()): Promise<boolean> {
  const current = await alarms.get(OUTBOX_ALARM);
  return current !== undefined && current.scheduledTime <= nowMs;
}
