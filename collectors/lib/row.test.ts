import { describe, expect, it } from 'vitest';
import { boolean, number, optionalNumber, optionalText } from './row';

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
});
