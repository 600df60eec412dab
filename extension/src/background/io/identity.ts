// The provider's sign-in window (chrome.identity.launchWebAuthFlow), for the
// steps the core plans: a sign-in, a silent renewal, the end of a session.
import { errorText } from "../../shared/messages.js";

/** The sign-in window's answer, in the core's flow-input shape. */
export type SignInOutcome = { kind: "redirect"; url: string } | { kind: "authFlowFailed"; message: string };

/** Opens the provider's sign-in at `url` (without a window when not interactive) and reports where it ended. */
export async function signIn(url: string, interactive: boolean): Promise<SignInOutcome> {
  try {
    const redirect = await chrome.identity.launchWebAuthFlow({
      url,
      interactive,
      // Silent renewal: let the provider redirect by script, but not forever.
      ...(interactive ? {} : { abortOnLoadForNonInteractive: false, timeoutMsForNonInteractive: 10_000 }),
    });
    return redirect ? { kind: "redirect", url: redirect } : { kind: "authFlowFailed", message: "The sign-in window returned nothing." };
  } catch (e) {
    return { kind: "authFlowFailed", message: errorText(e) };
  }
}

/** Ends the provider's browser session (its logout URL), so the next sign-in asks again; failures are ignored. */
export async function endProviderSession(logoutUrl: string): Promise<void> {
  await chrome.identity.launchWebAuthFlow({ url: logoutUrl, interactive: false }).catch(() => undefined);
}

/** The redirect URL the providers send the user back to. */
export function redirectBase(): string {
  return chrome.identity.getRedirectURL();
}
