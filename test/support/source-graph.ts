/**
 * The source tree as test/node/architecture.test.ts checks it, computed from the files (never a
 * list kept by hand): every file of src/ and adapters/, its relative imports (static, type and
 * dynamic, with their lines, found by the TypeScript parser so comments never count), the
 * import circles (strongly connected components), and the string literals of code.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/** How a file imports another. */
export type ImportKind = "static" | "type" | "dynamic";

/** One relative import of a file. */
export interface ImportEdge {
  /** The importing file, relative to the repository (`src/api/experiment.ts`). */
  readonly from: string;
  /** The imported file, relative to the repository, as resolved. */
  readonly to: string;
  readonly line: number;
  readonly kind: ImportKind;
}

/** A source file: its path relative to the repository, its text and its parsed form. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
  readonly ast: ts.SourceFile;
}

const posix = (p: string): string => p.replaceAll("\\", "/");

/** Every .ts/.tsx file (declarations aside) under `dirs` of `root`, parsed, sorted by path. */
export function sourceFiles(root: string, dirs: readonly string[]): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.tsx?$/.test(name) && !name.endsWith(".d.ts")) out.push(parse(posix(relative(root, p)), readFileSync(p, "utf8")));
    }
  };
  for (const d of dirs) walk(join(root, d));
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Parses `text` as the file at `path` (relative to the repository). */
export function parse(path: string, text: string): SourceFile {
  return { path, text, ast: ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, path.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS) };
}

const lineOf = (f: SourceFile, pos: number): number => f.ast.getLineAndCharacterOfPosition(pos).line + 1;

/**
 * The relative module specifiers `f` imports, with their line and kind: `import`/`export … from`
 * (type-only when the whole declaration is), `import("…")` calls and `typeof import("…")` types.
 */
export function importSpecifiers(f: SourceFile): { spec: string; line: number; kind: ImportKind }[] {
  const out: { spec: string; line: number; kind: ImportKind }[] = [];
  const add = (lit: ts.Node | undefined, kind: ImportKind): void => {
    if (lit && ts.isStringLiteralLike(lit) && lit.text.startsWith(".")) out.push({ spec: lit.text, line: lineOf(f, lit.getStart(f.ast)), kind });
  };
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n)) {
      const c = n.importClause;
      const typeOnly = !!c && (c.isTypeOnly || (!c.name && !!c.namedBindings && ts.isNamedImports(c.namedBindings) && c.namedBindings.elements.length > 0 && c.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(n.moduleSpecifier, typeOnly ? "type" : "static");
    } else if (ts.isExportDeclaration(n)) {
      const typeOnly = n.isTypeOnly || (!!n.exportClause && ts.isNamedExports(n.exportClause) && n.exportClause.elements.length > 0 && n.exportClause.elements.every((e) => e.isTypeOnly));
      add(n.moduleSpecifier, typeOnly ? "type" : "static");
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(n.arguments[0], "dynamic");
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument)) {
      add(n.argument.literal, "type");
    } else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference)) {
      add(n.moduleReference.expression, "static");
    }
    ts.forEachChild(n, visit);
  };
  visit(f.ast);
  return out;
}

/** The import edges among `files` (imports of anything else, e.g. a .css or .json file, are left out). */
export function importEdges(files: readonly SourceFile[]): ImportEdge[] {
  const known = new Set(files.map((f) => f.path));
  const edges: ImportEdge[] = [];
  for (const f of files) {
    for (const { spec, line, kind } of importSpecifiers(f)) {
      const base = posix(relative(resolve("/"), resolve("/", dirname(f.path), spec)));
      const to = [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, base.replace(/\.js$/, ".ts")].find((c) => known.has(c));
      if (to) edges.push({ from: f.path, to, line, kind });
    }
  }
  return edges;
}

/**
 * The import circles of a graph: its strongly connected components with more than one node, or
 * one node that imports itself (Tarjan's algorithm, iterative). Each is sorted; the list too.
 */
export function importCircles(nodes: Iterable<string>, edges: readonly { from: string; to: string }[]): string[][] {
  const next = new Map<string, string[]>();
  for (const n of nodes) next.set(n, []);
  for (const e of edges) if (next.has(e.from) && next.has(e.to)) next.get(e.from)!.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let counter = 0;
  for (const root of next.keys()) {
    if (index.has(root)) continue;
    // Each frame: a node and how many of its successors have been visited.
    const frames: [string, number][] = [[root, 0]];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const [v, i] = frame;
      const succ = next.get(v)!;
      if (i < succ.length) {
        frame[1]++;
        const w = succ[i]!;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          frames.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      frames.pop();
      if (frames.length > 0) {
        const parent = frames[frames.length - 1]![0];
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1 || succ.includes(v)) out.push(component.sort());
      }
    }
  }
  return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** A string in code: a string literal, a template's text, or a regular expression's source. */
export interface CodeString {
  readonly text: string;
  readonly line: number;
}

/** The strings of `f`'s code (comments and JSDoc are not code, and neither is JSX text). */
export function codeStrings(f: SourceFile): CodeString[] {
  const out: CodeString[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) {
      out.push({ text: n.text, line: lineOf(f, n.getStart(f.ast)) });
    } else if (ts.isRegularExpressionLiteral(n)) {
      // The pattern as the path it matches: `/\/metadata\.json$/` reads "/metadata.json".
      const source = n.text.slice(1, n.text.lastIndexOf("/"));
      out.push({ text: source.replace(/^\^|\$$/g, "").replace(/\\(.)/g, "$1"), line: lineOf(f, n.getStart(f.ast)) });
    }
    ts.forEachChild(n, visit);
  };
  visit(f.ast);
  return out;
}

/**
 * The names of `names` that `s` uses as a path segment: at the start of the string or after a
 * `/` (or `*`), and at its end or before a `/` or a quote. Prose that mentions a file
 * ("a .dashrc must be a mapping") does not count; `${dir}/experiment.json` does.
 */
export function pathSegmentsIn(s: string, names: readonly string[]): string[] {
  return names.filter((name) => {
    for (let i = s.indexOf(name); i >= 0; i = s.indexOf(name, i + 1)) {
      const before = i === 0 ? "" : s[i - 1]!;
      const after = s[i + name.length] ?? "";
      if ((before === "" || before === "/" || before === "*") && (after === "" || after === "/" || after === '"' || after === "'")) return true;
    }
    return false;
  });
}

/** Lines of a file as an editor counts them (a final newline does not start another line). */
export function lineCount(text: string): number {
  if (text === "") return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}
