// What of the admin's policy Inlay ignored, in the core's words, so an admin
// (or the user who asks them) sees why a setting did not take effect; and if
// the worker could not say, its error in words instead of nothing.
import { useEffect, useState } from "preact/hooks";
import { call, errorText, type IgnoredSetting } from "../shared/messages.js";

type Status = { ignored: IgnoredSetting[] } | { error: string };

export function PolicyNotice() {
  const [status, setStatus] = useState<Status>({ ignored: [] });
  useEffect(() => {
    call<{ ignored: IgnoredSetting[] }>({ type: "policyStatus" })
      .then((r) => setStatus({ ignored: r.ignored }))
      .catch((e: unknown) => setStatus({ error: errorText(e) }));
  }, []);
  if ("error" in status) {
    return (
      <section class="policy-notice" aria-label="Admin policy">
        <p class="error" role="alert">
          {status.error}
        </p>
      </section>
    );
  }
  if (status.ignored.length === 0) return null;
  return (
    <section class="policy-notice" role="status" aria-label="Admin policy">
      <h2>Part of your admin's policy was ignored</h2>
      <ul>
        {status.ignored.map((i) => (
          <li data-key={i.key}>{i.message}</li>
        ))}
      </ul>
    </section>
  );
}
