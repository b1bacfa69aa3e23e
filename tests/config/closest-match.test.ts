import { describe, expect, it } from 'vitest';
import { closestMatch, editDistance } from '../../src/config/closest-match.ts';

describe('closestMatch', () => {
  it.each([
    {
      name: 'one-letter-slip',
      typed: 'rulez',
      known: ['rules', 'digest'],
      expected: { name: 'rules', close: true },
    },
    {
      name: 'doubled-letter-in-a-cut-short-key',
      typed: 'intervall',
      known: ['id', 'url', 'title', 'intervalMinutes', 'labels'],
      expected: { name: 'intervalMinutes', close: true },
    },
    {
      name: 'letter-case-ignored',
      typed: 'quiethours',
      known: ['channels', 'quietHours'],
      expected: { name: 'quietHours', close: true },
    },
    {
      name: 'surname-inside-an-id',
      typed: 'witkoff',
      known: ['jared-kushner', 'steve-witkoff'],
      expected: { name: 'steve-witkoff', close: true },
    },
    {
      name: 'missing-dash',
      typed: 'phase2',
      known: ['phase-1', 'phase-2'],
      expected: { name: 'phase-2', close: true },
    },
    {
      name: 'unrelated-word-not-close',
      typed: 'egypt',
      known: ['qatar', 'turkey'],
      expected: { name: 'qatar', close: false },
    },
    {
      name: 'short-word-not-matched-inside-longer',
      typed: 'to',
      known: ['topics'],
      expected: { name: 'topics', close: false },
    },
    { name: 'nothing-known', typed: 'x', known: [], expected: null },
  ])('$name', ({ typed, known, expected }) => {
    expect(closestMatch(typed, known)).toEqual(expected);
  });

  it.each([
    { name: 'same', a: 'rules', b: 'rules', expected: 0 },
    { name: 'substitution', a: 'rulez', b: 'rules', expected: 1 },
    { name: 'insertion-and-deletion', a: 'kitten', b: 'sitting', expected: 3 },
    { name: 'empty', a: '', b: 'abc', expected: 3 },
  ])('editDistance: $name', ({ a, b, expected }) => {
    expect(editDistance(a, b)).toBe(expected);
  });
});
