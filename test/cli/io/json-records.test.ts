import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../../cli/io/bounds';
import {
  type JsonRecord,
  JsonRecordSplitter,
  nestsDeeperThan,
  opensJson,
} from '../../../cli/io/json-records';

function split(text: string): { records: JsonRecord[]; open: number | null } {
  const splitter = new JsonRecordSplitter();
  const records: JsonRecord[] = [];
  text.split('\n').forEach((line, i) => {
    splitter.push(line, i + 1, records);
  });
  return { records, open: splitter.openRecordLine() };
}

describe('JsonRecordSplitter', () => {
  it('cuts concatenated pretty-printed objects into one record each, with the line each starts on', () => {
    const { records, open } = split('{\n\t"MESSAGE" : "a }"\n}\n{\n\t"MESSAGE" : "b \\" {"\n}');
    expect(records).toEqual([
      { text: '{\n\t"MESSAGE" : "a }"\n}', line: 1 },
      { text: '{\n\t"MESSAGE" : "b \\" {"\n}', line: 4 },
    ]);
    expect(open).toBeNull();
  });

  it('gives each element of a top-level array as a record, nested arrays whole', () => {
    const { records } = split('[\n{"a":[1]},{"b":2},\n[{"c":3}],\n4\n]');
    expect(records.map((record) => JSON.parse(record.text))).toEqual([{ a: [1] }, { b: 2 }, [{ c: 3 }]]);
  });

  it('says where a record cut off by the end of input started', () => {
    expect(split('{"a":1}\n{\n"b":').open).toBe(2);
  });

  it('refuses nesting deeper than the bound, and takes nesting at the bound', () => {
    const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect(split(nested(MAX_JSON_DEPTH)).records).toHaveLength(1);
    expect(() => split(`x\n${nested(MAX_JSON_DEPTH + 1)}`)).toThrow(
      `JSON nested deeper than ${MAX_JSON_DEPTH} levels at line 2`,
    );
  });
});

describe('opensJson and nestsDeeperThan', () => {
  it('tells JSON from a dmesg line', () => {
    expect(['{', '  {"a":1}', '[', '[{', '[ ['].map(opensJson)).toEqual([true, true, true, true, true]);
    expect(['[  321.765330] Killed process', 'text {'].map(opensJson)).toEqual([false, false]);
  });

  it('counts brackets outside strings only', () => {
    expect(nestsDeeperThan('{"a":"[[[[[["}', 2)).toBe(false);
    expect(nestsDeeperThan('{"a":"\\"","b":[[1]]}', 2)).toBe(true);
  });
});
