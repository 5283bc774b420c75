/** Parameters grouped by their dot prefix (`model.layers` under `model`), searchable by key or value. */
import { useState } from "preact/hooks";

/** Display text of a parameter value. */
export function valueText(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** Groups flat keys by the part before the first dot (`""` for keys without one). */
export function groupParams(params: Record<string, unknown>): Map<string, [string, unknown][]> {
  const groups = new Map<string, [string, unknown][]>();
  for (const k of Object.keys(params).sort()) {
    const dot = k.indexOf(".");
    const g = dot > 0 ? k.slice(0, dot) : "";
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push([k, params[k]]);
  }
  return groups;
}

/** The tab. */
export function ParamsTab({ params }: { params: Record<string, unknown> }) {
  const [q, setQ] = useState("");
  const needle = q.toLowerCase();
  const hit = ([k, v]: [string, unknown]): boolean => !needle || k.toLowerCase().includes(needle) || valueText(v).toLowerCase().includes(needle);
  const groups = [...groupParams(params)].map(([g, rows]) => [g, rows.filter(hit)] as const).filter(([, rows]) => rows.length > 0);
  return (
    <div>
      <div class="toolbar">
        <input type="search" placeholder="Search keys and values…" aria-label="Search parameters" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        <span class="note">{Object.keys(params).length} parameters</span>
      </div>
      {groups.length === 0 && <div class="empty">{Object.keys(params).length ? "No parameter matches." : "No parameters recorded."}</div>}
      {groups.map(([g, rows]) => (
        <div class="card" key={g} style="margin-bottom:10px" data-group={g || "(top level)"}>
          <h3>{g || "(top level)"}</h3>
          <table>
            <tbody>
              {rows.map(([k, v]) => (
                <tr key={k}>
                  <td style="width:40%">{k}</td>
                  <td class="v">{valueText(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  );
}
