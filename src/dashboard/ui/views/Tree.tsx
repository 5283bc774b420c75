/**
 * The navigator: owner → project → folders → runs, with status badges and a checkbox per run
 * (checked runs are compared). Folders on the current path are open; others toggle. The filter
 * box is kept in the URL and filters the runs table as well.
 */
import { useMemo, useState } from "preact/hooks";
import { type RunSummary, runHref } from "../api.ts";
import { linkClick, setQuery, useRoute } from "../route.ts";
import { Badge } from "./Badge.tsx";

interface Node {
  name: string;
  path: string;
  children: Map<string, Node>;
  run?: RunSummary;
}

/** Builds the folder hierarchy of the runs. */
export function buildTree(runs: readonly RunSummary[]): Node {
  const root: Node = { name: "", path: "", children: new Map() };
  for (const r of runs) {
    let n = root;
    const parts = r.path.split("/");
    parts.forEach((part, i) => {
      const path = parts.slice(0, i + 1).join("/");
      let c = n.children.get(part);
      if (!c) n.children.set(part, (c = { name: part, path, children: new Map() }));
      n = c;
    });
    n.run = r;
  }
  return root;
}

/**
 * Entries a folder lists before a "show all" button (a sweep of 200 runs drew 1,000 tree elements
 * before its runs table; the table is where a sweep is read). The current run is always listed.
 */
export const TREE_PAGE = 50;

interface TreeProps {
  runs: readonly RunSummary[];
  current: string;
  checked: readonly string[];
  onCheck: (path: string, on: boolean) => void;
}

/** The tree. */
export function Tree({ runs, current, checked, onCheck }: TreeProps) {
  // In the URL (`find`), so the folder's runs table filters by it too.
  const filter = useRoute().q.get("find") ?? "";
  const setFilter = (v: string): void => setQuery({ find: v || undefined });
  const [toggled, setToggled] = useState<Record<string, boolean>>({});
  const [unfolded, setUnfolded] = useState<Record<string, boolean>>({});
  const shown = useMemo(() => (filter ? runs.filter((r) => r.path.toLowerCase().includes(filter.toLowerCase())) : runs), [runs, filter]);
  const root = useMemo(() => buildTree(shown), [shown]);
  const isOpen = (n: Node): boolean => toggled[n.path] ?? (filter !== "" || current === n.path || current.startsWith(n.path + "/") || n.path.split("/").length < 2);

  // A long folder lists its first TREE_PAGE entries (and the current one); the rest on request.
  const limit = (n: Node, kids: readonly Node[]): number => {
    if (unfolded[n.path] || filter !== "" || kids.length <= TREE_PAGE) return kids.length;
    const at = kids.findIndex((k) => current === k.path || current.startsWith(k.path + "/"));
    return Math.max(TREE_PAGE, at + 1);
  };
  const listed = (n: Node, kids: readonly Node[]): readonly Node[] => kids.slice(0, limit(n, kids));
  const more = (n: Node, kids: readonly Node[]) => {
    const rest = kids.length - limit(n, kids);
    return rest > 0 ? (
      <li key="…more">
        <button type="button" class="more" onClick={() => setUnfolded({ ...unfolded, [n.path]: true })}>
          show {rest} more
        </button>
      </li>
    ) : null;
  };

  const render = (n: Node) => {
    const kids = [...n.children.values()].sort((a, b) => a.name.localeCompare(b.name));
    const open = isOpen(n);
    const leaf = n.run && n.children.size === 0;
    return (
      <li key={n.path}>
        <div class={`row${current === n.path ? " cur" : ""}`}>
          {leaf ? (
            <input type="checkbox" checked={checked.includes(n.path)} aria-label={`Compare ${n.path}`} onChange={(e) => onCheck(n.path, (e.target as HTMLInputElement).checked)} />
          ) : (
            <button type="button" class="twist" aria-expanded={open} aria-label={`${open ? "Collapse" : "Expand"} ${n.path}`} onClick={() => setToggled({ ...toggled, [n.path]: !open })}>
              {open ? "▾" : "▸"}
            </button>
          )}
          <a class="name" href={runHref(n.path)} onClick={(e) => linkClick(e as unknown as MouseEvent, n.path)} title={n.path} aria-current={current === n.path ? "page" : undefined}>
            {n.name}
          </a>
          {n.run && <Badge run={n.run} />}
        </div>
        {!leaf && open && kids.length > 0 && <ul>{listed(n, kids).map(render)}{more(n, kids)}</ul>}
      </li>
    );
  };

  return (
    <nav class="tree" aria-label="Runs">
      <input type="search" placeholder="Filter runs…" aria-label="Filter runs" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} style="width:100%;margin-bottom:6px" />
      {runs.length === 0 ? <div class="empty">No runs in this root yet: log one and it appears here.</div> : <ul>{[...root.children.values()].sort((a, b) => a.name.localeCompare(b.name)).map(render)}</ul>}
    </nav>
  );
}
