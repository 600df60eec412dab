// Plain text typed in a textarea (a signature, a template) as the HTML the
// worker stores, and back. Back is read in an inert document: nothing in
// the HTML runs or loads.

export function textToHtml(text: string): string {
  const escaped = text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
  return escaped.split("\n").join("<br>");
}

export function htmlToText(html: string): string {
  const doc = new DOMParser().parseFromString(html.replaceAll(/<br\s*\/?>/gi, "\n"), "text/html");
  return doc.body.textContent ?? "";
}
