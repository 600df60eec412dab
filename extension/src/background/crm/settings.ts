// The CRM's settings in force: what the user saved (one row of the
// crmSettings store, else the core's defaults) with the admin policy's
// owners and pipelines in their place where it presets them. The core reads
// both (crm::read_settings) and names what of the policy it ignored.
import type { IDBPDatabase } from "idb";
import type { CrmCore, CrmSettings, CrmSettingsReading } from "../core/types.js";

/** The one row's key. */
export const SETTINGS_KEY = "settings";

async function managedPolicy(): Promise<unknown> {
  try {
    return await chrome.storage.managed.get(null);
  } catch {
    return {}; // no policy (or a browser without managed storage)
  }
}

/** The settings in force now (policy can change while the worker runs). */
export async function readCrmSettings(db: IDBPDatabase<unknown>, core: Pick<CrmCore, "crmReadSettings">): Promise<CrmSettingsReading> {
  const [saved, policy] = await Promise.all([db.get("crmSettings", SETTINGS_KEY) as Promise<CrmSettings | undefined>, managedPolicy()]);
  return core.crmReadSettings(saved ?? null, policy);
}

/** Saves the user's settings once the core accepts them (it throws `{code, message}` otherwise); answers those in force. */
export async function saveCrmSettings(
  db: IDBPDatabase<unknown>,
  core: Pick<CrmCore, "crmReadSettings" | "crmValidateSettings">,
  settings: CrmSettings,
): Promise<CrmSettingsReading> {
  await db.put("crmSettings", core.crmValidateSettings(settings), SETTINGS_KEY);
  return readCrmSettings(db, core);
}
