// Each screen of the connect flow focuses its main control as it mounts, so
// the flow works from the keyboard alone. useLayoutEffect, not autofocus:
// Preact re-uses elements between screens, where autofocus would not fire.
import { useLayoutEffect, useRef } from "preact/hooks";

/** A ref whose element is focused as soon as it mounts. */
export function useAutofocus<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useLayoutEffect(() => ref.current?.focus(), []);
  return ref;
}
