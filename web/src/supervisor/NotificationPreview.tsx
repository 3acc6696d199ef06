// The live preview of a notification template: a small reading of Go's
// text/template, enough for what templates hold ({{.amount}}, {{.order.id}},
// {{if .x}}…{{else}}…{{end}}, {{with}}, {{range}}), with the server's
// missingkey=error rule, so that a missing variable shows here before the
// event is refused with 422. Anything beyond it is reported, not guessed: the
// server checks the template itself when the type is saved.

/**
 * PreviewError is a template the preview cannot parse or a variable the data
 * lacks, said as the server says it (internal/notice/explain.go): the line,
 * and what to write instead — never the template engine's own words.
 */
export class PreviewError extends Error {
  constructor(message: string, readonly line = 0) {
    super(line ? `line ${line}: ${message}` : message);
  }
}

type Path = string[];
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'print'; path: Path; src: string; line: number }
  | { kind: 'if' | 'with' | 'range'; path: Path; src: string; line: number; then: Node[]; else: Node[] };

/** BUILTIN_VARIABLES are set on every notice's data by the server, over the event's own; sample values here. */
export const BUILTIN_VARIABLES: Record<string, string> = {
  name: 'Alex Doe',
  link: 'https://example.com/n/…',
  preferences_link: 'https://example.com/portal/p/…',
  unsubscribe_link: 'https://example.com/u/…',
};

interface Token {
  text?: string;
  action?: string;
  /** line is where the action starts, from 1. */
  line: number;
}

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    const line = src.slice(0, open < 0 ? src.length : open).split('\n').length;
    if (open < 0) {
      if (text) out.push({ text, line });
      break;
    }
    const close = src.indexOf('}}', open + 2);
    if (close < 0) throw new PreviewError('a "{{" has no closing "}}"', line);
    let action = src.slice(open + 2, close);
    if (/^-\s/.test(action)) {
      text = text.replace(/\s+$/, '');
      action = action.slice(1);
    }
    trimNext = /\s-$/.test(action);
    if (trimNext) action = action.slice(0, -1);
    if (text) out.push({ text, line });
    out.push({ action: action.trim(), line });
    i = close + 2;
  }
  return out;
}

const FIELD = /^\.(?:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)?$/;

function path(src: string, whole: string, line: number): Path {
  if (src === '') throw new PreviewError('an empty {{ }}: write a variable inside, such as {{.amount}}', line);
  if (/^[A-Za-z_]\w*$/.test(src)) {
    throw new PreviewError(`{{${src}}} is not a variable: write {{.${src}}}, with a dot, to use the event's "${src}"`, line);
  }
  if (!FIELD.test(src)) throw new PreviewError(`the preview cannot show {{${whole}}}; the server checks it when you save`, line);
  return src === '.' ? [] : src.slice(1).split('.');
}

/** parse reads src into a tree; it throws PreviewError for what it cannot read. */
function parse(src: string): Node[] {
  const tokens = lex(src);
  let i = 0;
  // list reads nodes up to an {{else}} or {{end}} and returns which one stopped it.
  const list = (inBlock: boolean): [Node[], string] => {
    const nodes: Node[] = [];
    while (i < tokens.length) {
      const tok = tokens[i++]!;
      if (tok.text !== undefined) {
        nodes.push({ kind: 'text', text: tok.text });
        continue;
      }
      const a = tok.action!;
      if (a.startsWith('/*')) continue;
      if (a === 'end' || a === 'else' || a.startsWith('else ')) {
        if (!inBlock) {
          throw new PreviewError(a === 'end' ? 'an {{end}} closes nothing: remove it, or open the block with {{if .x}}'
            : 'an {{else}} outside an {{if}}, {{with}} or {{range}}', tok.line);
        }
        last = tok.line;
        return [nodes, a];
      }
      const block = /^(if|with|range)\s+(.+)$/.exec(a);
      if (block) {
        nodes.push(parseBlock(block[1] as 'if' | 'with' | 'range', block[2]!.trim(), a, tok.line));
        continue;
      }
      nodes.push({ kind: 'print', path: path(a, a, tok.line), src: a, line: tok.line });
    }
    if (inBlock) throw new PreviewError('an {{if}}, {{with}} or {{range}} has no {{end}}', tokens[tokens.length - 1]?.line ?? 1);
    return [nodes, ''];
  };
  let last = 0;
  const parseBlock = (kind: 'if' | 'with' | 'range', arg: string, whole: string, line: number): Node => {
    const node: Node = { kind, path: path(arg, whole, line), src: arg, line, then: [], else: [] };
    const [then, stop] = list(true);
    node.then = then;
    if (stop === 'else') {
      const [els, stop2] = list(true);
      if (stop2 !== 'end') throw new PreviewError(`an {{${stop2}}} after {{else}}: close the block with {{end}}`, last);
      node.else = els;
    } else if (stop.startsWith('else ')) {
      // {{else if .x}} is an if nested in the else branch, closed by the same {{end}}.
      const inner = /^else\s+(if|with)\s+(.+)$/.exec(stop);
      if (!inner) throw new PreviewError(`{{${stop}}} is not expected here`, last);
      node.else = [parseBlock(inner[1] as 'if' | 'with', inner[2]!.trim(), stop.slice(5), last)];
    }
    return node;
  };
  return list(false)[0];
}

function lookup(dot: unknown, p: Path, src: string, line: number): unknown {
  let v = dot;
  for (const [n, key] of p.entries()) {
    if (v === null || v === undefined) throw new PreviewError(`{{${src}}} has no value: .${p.slice(0, n).join('.')} is empty`, line);
    if (typeof v !== 'object' || Array.isArray(v)) {
      throw new PreviewError(`{{${src}}} cannot be filled in: .${p.slice(0, n).join('.')} is a ${Array.isArray(v) ? 'list' : typeof v}, not a group of fields`, line);
    }
    if (!(key in v)) throw new PreviewError(`{{${src}}} has no value: the sample data has no "${key}"`, line);
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function truth(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return !!v;
}

/** goFloat prints a JSON number as Go prints a float64 with %v: 1e+06, not 1000000. */
export function goFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  if (n === 0) return '0';
  const [mant, e] = n.toExponential().split('e') as [string, string];
  const x = Number(e);
  if (x < -4 || x >= 6) return `${mant}e${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
  return String(n);
}

/** show prints a value as Go's fmt %v does. */
function show(v: unknown): string {
  if (v === null || v === undefined) return '<no value>';
  if (typeof v === 'number') return goFloat(v);
  if (Array.isArray(v)) return `[${v.map(show).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o).sort().map((k) => `${k}:${show(o[k])}`).join(' ')}]`;
  }
  return String(v);
}

function exec(nodes: Node[], dot: unknown): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'print') out += show(lookup(dot, n.path, n.src, n.line));
    else {
      const v = lookup(dot, n.path, n.src, n.line);
      if (!truth(v)) out += exec(n.else, dot);
      else if (n.kind === 'if') out += exec(n.then, dot);
      else if (n.kind === 'with') out += exec(n.then, v);
      else if (Array.isArray(v)) for (const x of v) out += exec(n.then, x);
      else if (typeof v === 'object') for (const k of Object.keys(v as object).sort()) out += exec(n.then, (v as Record<string, unknown>)[k]);
      else throw new PreviewError(`{{range ${n.src}}} needs a list, and ${n.src} is ${show(v)}`, n.line);
    }
  }
  return out;
}

/** renderTemplate fills src from data as the server will; it throws PreviewError. */
export function renderTemplate(src: string, data: Record<string, unknown>): string {
  return exec(parse(src), data);
}

/** templateVariables lists the top-level variables src reads, in order of first use. */
export function templateVariables(src: string): string[] {
  const out: string[] = [];
  for (const m of src.matchAll(/\{\{-?\s*(?:(?:if|with|range|else if)\s+)?\.([A-Za-z_]\w*)/g)) {
    if (!out.includes(m[1]!)) out.push(m[1]!);
  }
  return out;
}

/** Rendered is one template filled in, each part its text or why it cannot be shown. */
export interface Rendered {
  subject: string;
  body: string;
  short: string;
  errors: string[];
}

/**
 * renderParts fills a template's subject, body and short text. Short falls back
 * to the body as the SMS channel does; errors are prefixed with the part, as the
 * server's are.
 */
export function renderParts(tpl: { subject?: string; body?: string; short?: string }, data: Record<string, unknown>): Rendered {
  const r: Rendered = { subject: '', body: '', short: '', errors: [] };
  for (const part of ['subject', 'body', 'short'] as const) {
    try {
      r[part] = renderTemplate(tpl[part] ?? '', data);
    } catch (err) {
      r.errors.push(partError(part, err));
    }
  }
  if (!tpl.short) r.short = r.body;
  return r;
}

const PART_NAMES = { subject: 'Subject', body: 'Body', short: 'Short text' } as const;

/** partError names the part (and line) a template error is in: "Body, line 2: {{.amount}} has no value: …". */
function partError(part: keyof typeof PART_NAMES, err: unknown): string {
  if (err instanceof PreviewError && err.line) return `${PART_NAMES[part]}, ${err.message}`;
  return `${PART_NAMES[part]}: ${err instanceof Error ? err.message : String(err)}`;
}
