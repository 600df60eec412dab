// The three states a view shows besides its content: loading (skeleton rows
// shaped like what is coming), empty (what to do next), failed (the words).
import type { ComponentChildren } from "preact";

export function Skeleton(props: { rows?: number; label?: string }) {
  return (
    <div class="skeleton" role="status" aria-busy="true" aria-label={props.label ?? "Loading"}>
      {Array.from({ length: props.rows ?? 6 }, (_, i) => (
        <div class="skeleton-row" key={i} style={{ width: `${92 - ((i * 17) % 35)}%` }} />
      ))}
    </div>
  );
}

export function Empty(props: { title: string; children?: ComponentChildren; icon?: string }) {
  return (
    <div class="empty">
      <div class="empty-icon" aria-hidden="true">
        {props.icon ?? "✦"}
      </div>
      <h3>{props.title}</h3>
      {props.children}
    </div>
  );
}

export function Failed(props: { message: string; onRetry?: () => void }) {
  return (
    <div class="failed" role="alert">
      <p>{props.message}</p>
      {props.onRetry && (
        <button class="secondary" onClick={props.onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
