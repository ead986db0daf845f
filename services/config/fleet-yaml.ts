import { LineCounter, parseDocument, visit, type Document } from 'yaml';
import { ConfigError } from '../core/errors';

/** Aliases a fleet file may expand; a few anchors shared by windows are far below it, an alias bomb far above. */
const MAX_ALIAS_COUNT = 100;

/**
 * The fleet file's YAML as plain values. Every way the text can fail is a ConfigError naming the
 * file, the line and what was wrong: a syntax error, an alias to an anchor not defined before
 * it, or aliases that expand past MAX_ALIAS_COUNT nodes (the "billion laughs" alias bomb). The
 * yaml library reports the last two by throwing from toJS, which used to escape as a stack trace.
 */
export function readFleetYaml(text: string, source: string): unknown {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, lineCounter: lines });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        return `fleet file ${source}: line ${at?.line ?? '?'}, column ${at?.col ?? '?'}: not valid YAML (${e.message.split('\n')[0]})`;
      }),
    );
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw new ConfigError([`fleet file ${source}: ${aliasProblem(doc, lines, err as Error)}`]);
  }
}

function aliasProblem(doc: Document, lines: LineCounter, err: Error): string {
  const where = (offset: number | undefined) => {
    const at = offset === undefined ? undefined : lines.linePos(offset);
    return at ? `line ${at.line}, column ${at.col}` : 'line ?';
  };
  let unresolved: { source: string; offset: number | undefined } | undefined;
  let first: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      first ??= node.range?.[0];
      if (!unresolved && node.resolve(doc) === undefined) unresolved = { source: node.source, offset: node.range?.[0] };
    },
  });
  if (unresolved)
    return `${where(unresolved.offset)}: not valid YAML (alias *${unresolved.source} names no anchor &${unresolved.source} defined before it)`;
  if (/alias count/i.test(err.message))
    return `${where(first)}: not valid YAML (its aliases expand to more than ${MAX_ALIAS_COUNT} nodes, as an alias bomb does)`;
  return `not valid YAML (${err.message.split('\n')[0]})`;
}
