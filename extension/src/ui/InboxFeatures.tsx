// An inbox's optional features in the inbox list: a switch per feature the
// kind can have. Turning one on shows the core's disclosure first (what is
// read and why, what turning it off gives back), then the provider's sign-in
// for the added permission only; turning it off needs no sign-in. Also says
// whether scheduled email from this inbox leaves with the browser closed.
import { useState } from "preact/hooks";
import type { Account, FeatureDisclosure, InboxFeatures, OptionalFeature } from "../shared/inboxes.js";
import { call } from "../shared/messages.js";
import { Choices } from "./Choices.js";

const LABELS: Record<OptionalFeature, string> = {
  sentCheck: "Check Sent when a send's outcome is unknown",
  scheduledDelivery: "Deliver scheduled email with the browser closed",
};

export function deliveryNote(features: InboxFeatures): string {
  return features.deliversWhileClosed
    ? "Scheduled email leaves at its time even with the browser closed."
    : "Scheduled email leaves only while the browser is open (late ones when it opens again).";
}

export function InboxFeatureSwitches(p: {
  account: Account;
  features: InboxFeatures;
  disabled: boolean;
  act: (run: () => Promise<unknown>) => void;
}) {
  const [asking, setAsking] = useState<FeatureDisclosure | null>(null);
  const { address } = p.account;
  if (asking) {
    return (
      <div class="feature-disclosure" data-feature={asking.feature}>
        <h4>{asking.title}</h4>
        <p class="why">{asking.why}</p>
        <p>{asking.providerName} will ask you to allow Inlay to:</p>
        <ul class="scopes">
          {asking.scopes.map((s) => (
            <li>
              <span class="why">{s.explanation}</span> <code>{s.scope}</code>
            </li>
          ))}
        </ul>
        <p class="turning-off">{asking.turningOff}</p>
        <Choices
          main={{
            label: "Continue",
            onClick: () => {
              const feature = asking.feature;
              setAsking(null);
              p.act(() => call({ type: "setFeature", address, feature, on: true }));
            },
          }}
          others={[{ label: "Not now", onClick: () => setAsking(null) }]}
        />
      </div>
    );
  }
  return (
    <div class="features">
      {p.features.available.map((feature) => (
        <label class="check" data-feature={feature}>
          <input
            type="checkbox"
            checked={Boolean(p.features.on[feature])}
            disabled={p.disabled}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              e.currentTarget.checked = !on; // stays as it is until the worker says
              if (on) p.act(async () => setAsking(await call<FeatureDisclosure>({ type: "featureDisclosure", address, feature })));
              else p.act(() => call({ type: "setFeature", address, feature, on: false }));
            }}
          />
          {LABELS[feature]}
        </label>
      ))}
    </div>
  );
}
