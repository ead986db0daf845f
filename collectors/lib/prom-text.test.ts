import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { histogramSeries, parseExposition, parseValue } from './prom-text';

const one = (text: string) => {
  const e = parseExposition(text);
  expect(e.rejected, text).toBe(0);
  expect(e.samples).toHaveLength(1);
  return e.samples[0]!;
};

describe('Prometheus text exposition', () => {
  it.each([
    ['bare sample', 'up 1', { name: 'up', labels: {}, value: 1 }],
    ['labels', 'x_total{code="200",method="GET"} 1027', { name: 'x_total', labels: { code: '200', method: 'GET' }, value: 1027 }],
    ['trailing comma in labels', 'x{a="1",} 2', { labels: { a: '1' }, value: 2 }],
    ['escaped backslash, quote, newline', 'x{path="C:\\\\dir \\"q\\"\\nnext"} 1', { labels: { path: 'C:\\dir "q"\nnext' } }],
    [
      'braces and commas inside a value',
      'x{rule="Host(`a`) || Host(`b`)",le="{x,y}"} 1',
      { labels: { rule: 'Host(`a`) || Host(`b`)', le: '{x,y}' } },
    ],
    ['timestamp', 'x 3 1395066363000', { value: 3, timestampMs: 1395066363000 }],
    ['negative timestamp', 'x 3 -1', { timestampMs: -1 }],
    ['exponent float', 'x 1.234567e+06', { value: 1234567 }],
    ['Go float forms', 'x -.5e-3', { value: -0.0005 }],
    ['+Inf', 'x +Inf', { value: Infinity }],
    ['-Inf', 'x -Inf', { value: -Infinity }],
    ['tabs and spaces', '\tx {a = "b"}\t 7 ', { labels: { a: 'b' }, value: 7 }],
    ['CRLF line end', 'x 5\r', { value: 5 }],
    ['colon in name', 'job:rate:sum 2', { name: 'job:rate:sum' }],
  ])('reads %s', (_, line, expected) => {
    expect(one(line)).toMatchObject(expected);
  });

  it('reads NaN', () => {
    expect(Number.isNaN(one('x NaN').value)).toBe(true);
    expect(parseValue('nan')).toBeNaN();
    expect(parseValue('Inf')).toBe(Infinity);
    expect(parseValue('1_000')).toBeUndefined();
  });

  it.each([
    ['no value', 'x'],
    ['bad value', 'x one'],
    ['bad timestamp', 'x 1 12.5'],
    ['three fields', 'x 1 2 3'],
    ['unterminated label value', 'x{a="b} 1'],
    ['unknown escape', 'x{a="\\t"} 1'],
    ['duplicate label', 'x{a="1",a="2"} 1'],
    ['label without quotes', 'x{a=1} 1'],
    ['bad metric name', '1x 1'],
    ['name glued to value', 'x-1'],
    ['bad label name', 'x{1a="b"} 1'],
    ['missing closing brace', 'x{a="b" 1'],
    ['unknown TYPE', '# TYPE x histogramm'],
    ['TYPE without name', '# TYPE'],
    ['bad HELP name', '# HELP 1x text'],
  ])('rejects %s', (_, line) => {
    const e = parseExposition(line);
    expect(e.samples).toHaveLength(0);
    expect(e.rejected).toBe(1);
  });

  it('keeps HELP and TYPE, ignores other comments and blank lines, rejects a second TYPE', () => {
    const e = parseExposition('# HELP x Help with \\\\ and \\n.\n# TYPE x counter\n# just a comment\n\n# TYPE x gauge\nx 1\n');
    expect(e.families.get('x')).toMatchObject({ type: 'counter', help: 'Help with \\ and \n.' });
    expect(e.samples[0]).toMatchObject({ family: 'x', type: 'counter' });
    expect(e.rejected).toBe(1);
  });

  it('groups histogram families: buckets by le, sum and count, series by the other labels', () => {
    const text = [
      '# TYPE d_seconds histogram',
      'd_seconds_bucket{r="a",le="0.1"} 1',
      'd_seconds_bucket{r="a",le="+Inf"} 4',
      'd_seconds_bucket{r="a",le="1.2"} 3',
      'd_seconds_sum{r="a"} 2.5',
      'd_seconds_count{r="a"} 4',
      'd_seconds_bucket{r="b",le="+Inf"} 0',
      'd_seconds_bucket{r="b",le="oops"} 0',
      '# TYPE s summary',
      's{quantile="0.5"} 1',
      's_sum 3',
      's_count 2',
      'd_seconds_total 9',
    ].join('\n');
    const e = parseExposition(text);
    expect(e.rejected).toBe(1); // le="oops"
    expect(e.samples.filter((s) => s.family === 's').map((s) => s.name)).toEqual(['s', 's_sum', 's_count']);
    expect(e.samples.find((s) => s.name === 'd_seconds_total')).toMatchObject({ family: 'd_seconds_total', type: 'untyped' });
    expect(histogramSeries(e.samples, 'd_seconds')).toEqual([
      {
        labels: { r: 'a' },
        buckets: [
          { le: 0.1, count: 1 },
          { le: 1.2, count: 3 },
          { le: Infinity, count: 4 },
        ],
        sum: 2.5,
        count: 4,
      },
      { labels: { r: 'b' }, buckets: [{ le: Infinity, count: 0 }] },
    ]);
  });

  it('gives samples or counted rejections for any input, never an exception', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 120 }),
      fc
        .constantFrom('x{a="', '# TYPE x histogram', 'x_bucket{le="', '\\', '"', '{', '}', ' NaN', ' +Inf', '\n')
        .chain((p) => fc.string({ maxLength: 40 }).map((s) => p + s)),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        const e = parseExposition(lines.join('\n'));
        const nonBlank = lines
          .join('\n')
          .split('\n')
          .filter((l) => l.replace(/\r$/, '').trim() !== '').length;
        expect(e.samples.length + e.rejected).toBeLessThanOrEqual(nonBlank);
        for (const s of e.samples) expect(typeof s.value).toBe('number');
      }),
      { numRuns: 1500 },
    );
  });
});
