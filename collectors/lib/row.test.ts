import { describe, expect, it } from 'vitest';
import { boolean, integer, integerArray, integerText, number, numberOrNull, optionalNumber, optionalText } from './row';

describe('row decoder', () => {
  it.each([
    [42, 42],
    [-1.5, -1.5],
    ['9007199254740993', 9007199254740992],
    [' 12 ', 12],
    ['1e3', 1000],
    ['', undefined],
    ['  ', undefined],
    ['12abc', undefined],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    ['Infinity', undefined],
    [null, undefined],
    [undefined, undefined],
    [true, undefined],
    [[1], undefined],
  ])('number(%j) is %j', (value, expected) => {
    expect(number(value)).toBe(expected);
  });

  it.each([
    [null, null],
    [undefined, null],
    ['7', 7],
    [7, 7],
    ['x', undefined],
    [{}, undefined],
  ])('optionalNumber(%j) is %j', (value, expected) => {
    expect(optionalNumber(value)).toBe(expected);
  });

  it.each([
    [null, null],
    [undefined, null],
    ['', ''],
    ['active', 'active'],
    [3, undefined],
    [['a'], undefined],
  ])('optionalText(%j) is %j', (value, expected) => {
    expect(optionalText(value)).toBe(expected);
  });

  it.each([
    [true, true],
    [false, false],
    ['t', true],
    ['true', true],
    ['f', false],
    ['false', false],
    ['yes', undefined],
    [1, undefined],
    [null, undefined],
  ])('boolean(%j) is %j', (value, expected) => {
    expect(boolean(value)).toBe(expected);
  });

  it.each([
    [7, 7],
    [-3, -3],
    ['42', 42],
    ['-42', -42],
    ['9007199254740991', 9007199254740991],
    // int8 text past 2^53: a number would round it, so it is refused (integerText keeps it)
    ['9007199254740993', undefined],
    [9007199254740992, undefined],
    [1.5, undefined],
    ['1.5', undefined],
    ['', undefined],
    [null, undefined],
    [7n, undefined],
  ])('integer(%o) is %o', (value, expected) => {
    expect(integer(value)).toBe(expected);
  });

  it.each([
    [18446744073709551615n, '18446744073709551615'],
    [-9007199254740993n, '-9007199254740993'],
    ['7444571391340179561', '7444571391340179561'],
    ['-12', '-12'],
    [12, '12'],
    [1.5, undefined],
    ['12.0', undefined],
    [' 12', undefined],
    ['', undefined],
    [null, undefined],
    [true, undefined],
  ])('integerText(%o) is %o', (value, expected) => {
    expect(integerText(value)).toBe(expected);
  });

  it.each([
    [3.5, 3.5],
    ['3.5', 3.5],
    [null, null],
    [undefined, null],
    ['x', null],
    [false, null],
  ])('numberOrNull(%j) is %j', (value, expected) => {
    expect(numberOrNull(value)).toBe(expected);
  });

  it.each([
    [
      [4100, 4101],
      [4100, 4101],
    ],
    [
      ['4100', 4101],
      [4100, 4101],
    ],
    [[], []],
    ['{4100,4101}', [4100, 4101]],
    ['{ 1 , -2 }', [1, -2]],
    ['{}', []],
    [null, null],
    [undefined, null],
    [['a'], undefined],
    [[1.5], undefined],
    [[null], undefined],
    ['{1,NULL}', undefined],
    ['{"a"}', undefined],
    ['4100', undefined],
    [4100, undefined],
  ])('integerArray(%j) is %j', (value, expected) => {
    expect(integerArray(value)).toEqual(expected);
  });
});
