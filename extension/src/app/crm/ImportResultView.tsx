// What an import did: how many rows came in, and each row left out with its
// line in the file (counting the header) and the core's reason.
import type { ImportResult } from "./types.js";

export function ImportResultView(props: { file: string; result: ImportResult; onAgain: () => void }) {
  const { imported, skipped } = props.result;
  return (
    <div class="import-result">
      <p class="success" role="status">
        Imported {imported.toLocaleString()} {imported === 1 ? "row" : "rows"} from {props.file}.
        {skipped.length > 0 && ` ${skipped.length} ${skipped.length === 1 ? "row was" : "rows were"} left out:`}
      </p>
      {skipped.length > 0 && (
        <table class="skipped">
          <caption class="sr-only">Rows left out</caption>
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {skipped.map((s) => (
              <tr key={s.line} data-line={s.line}>
                <td>{s.line}</td>
                <td>{s.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="actions">
        <a class="button secondary" href="#/contacts">
          See contacts
        </a>
        <button class="secondary" onClick={props.onAgain}>
          Import another file
        </button>
      </div>
    </div>
  );
}
