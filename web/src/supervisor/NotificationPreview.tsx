// The live preview of a notification template: a small reading of Go's
// text/template, enough for what templates hold ({{.amount}}, {{.order.id}},
// {{if .x}}…{{else}}…{{end}}, {{with}}, {{range}}), with the server's
// missingkey=error rule, so that a missing variable shows here before the
// event is refused with 422. Anything beyond it is reported, not guessed: the
// server checks the template itself when the type is saved.

/** PreviewError is a template the preview cannot parse or a variable the data lacks. */
export class PreviewError extends Error {}

type Path = string[];
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'print'; path: Path; src: string }
  | { kind: 'if' | 'with' | 'range'; path: Path; src: string; then: Node[]; else: Node[] };

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
}

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open < 0) {
      if (text) out.push({ text });
      break;
    }
    const close = src.indexOf('}}', open + 2);
    if (close < 0) throw new PreviewError('unclosed action: a "{{" without "}}"');
    let action = src.slice(open + 2, close);
    if (/^-\s/.test(action)) {
      text = text.replace(/\s+$/, '');
      action = action.slice(1);
    }
    trimNext = /\s-$/.test(action);
    if (trimNext) action = action.slice(0, -1);
    if (text) out.push({ text });
    out.push({ action: action.trim() });
    i = close + 2;
  }
  return out;
}

const FIELD = /^\.(?:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)?$/;

function path(src: string, whole: string): Path {
  if (!FIELD.test(src)) throw new PreviewError(`the preview cannot show {{${whole}}}; the server checks it when you save`);
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
        if (!inBlock) throw new PreviewError(`unexpected {{${a}}}`);
        return [nodes, a];
      }
      const block = /^(if|with|range)\s+(.+)$/.exec(a);
      if (block) {
        nodes.push(parseBlock(block[1] as 'if' | 'with' | 'range', block[2]!.trim(), a));
        continue;
      }
      nodes.push({ kind: 'print', path: path(a, a), src: a });
    }
    if (inBlock) throw new PreviewError('a block is missing its {{end}}');
    return [nodes, ''];
  };
  const parseBlock = (kind: 'if' | 'with' | 'range', arg: string, whole: string): Node => {
    const node: Node = { kind, path: path(arg, whole), src: arg, then: [], else: [] };
    const [then, stop] = list(true);
    node.then = then;
    if (stop === 'else') {
      const [els, stop2] = list(true);
      if (stop2 !== 'end') throw new PreviewError(`unexpected {{${stop2}}} after {{else}}`);
      node.else = els;
    } else if (stop.startsWith('else ')) {
      // {{else if .x}} is an if nested in the else branch, closed by the same {{end}}.
      const inner = /^else\s+(if|with)\s+(.+)$/.exec(stop);
      if (!inner) throw new PreviewError(`unexpected {{${stop}}}`);
      node.else = [parseBlock(inner[1] as 'if' | 'with', inner[2]!.trim(), stop.slice(5))];
    }
    return node;
  };
  return list(false)[0];
}

function lookup(dot: unknown, p: Path, src: string): unknown {
  let v = dot;
  for (const [n, key] of p.entries()) {
    if (v === null || v === undefined) throw new PreviewError(`<${src}>: nil value: no field "${key}" in .${p.slice(0, n).join('.')}`);
    if (typeof v !== 'object' || Array.isArray(v)) throw new PreviewError(`<${src}>: can't evaluate field ${key} in a ${Array.isArray(v) ? 'list' : typeof v}`);
    if (!(key in v)) throw new PreviewError(`<${src}>: map has no entry for key "${key}"`);
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
    else if (n.kind === 'print') out += show(lookup(dot, n.path, n.src));
    else {
      const v = lookup(dot, n.path, n.src);
      if (!truth(v)) out += exec(n.else, dot);
      else if (n.kind === 'if') out += exec(n.then, dot);
      else if (n.kind === 'with') out += exec(n.then, v);
      else if (Array.isArray(v)) for (const x of v) out += exec(n.then, x);
      else if (typeof v === 'object') for (const k of Object.keys(v as object).sort()) out += exec(n.then, (v as Record<string, unknown>)[k]);
      else throw new PreviewError(`<${n.src}>: range can't iterate over ${show(v)}`);
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
      r.errors.push(`${part}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (!tpl.short) r.short = r.body;
  return r;
}
