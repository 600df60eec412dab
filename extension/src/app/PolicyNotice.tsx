// What of the admin's policy Inlay ignored, in the core's words, so an admin
// (or the user who asks them) sees why a setting did not take effect.
import { useEffect, useState } from "preact/hooks";
import { call, type IgnoredSetting } from "../shared/messages.js";

export function PolicyNotice() {
  const [ignored, setIgnored] = useState<IgnoredSetting[]>([]);
  useEffect(() => {
    call<{ ignored: IgnoredSetting[] }>({ type: "policyStatus" })
      .then((r) => setIgnored(r.ignored))
      .catch(() => setIgnored([]));
  }, []);
  if (ignored.length === 0) return null;
  return (
    <section class="policy-notice" role="status" aria-label="Admin policy">
      <h2>Part of your admin's policy was ignored</h2>
      <ul>
        {ignored.map((i) => (
          <li data-key={i.key}>{i.message}</li>
        ))}
      </ul>
    </section>
  );
}
