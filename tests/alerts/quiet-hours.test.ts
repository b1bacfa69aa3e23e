import { describe, expect, it } from 'vitest';
import { isQuietTime } from '../../src/alerts/quiet-hours.ts';

describe('isQuietTime', () => {
  it.each([
    {
      name: 'inside-wrapping-night',
      quiet: { from: '22:00', to: '07:00' },
      at: '2025-12-19T23:30:00Z',
      zone: 'UTC',
      expected: true,
    },
    {
      name: 'after-midnight',
      quiet: { from: '22:00', to: '07:00' },
      at: '2025-12-20T06:59:00Z',
      zone: 'UTC',
      expected: true,
    },
    {
      name: 'end-is-outside',
      quiet: { from: '22:00', to: '07:00' },
      at: '2025-12-20T07:00:00Z',
      zone: 'UTC',
      expected: false,
    },
    {
      name: 'daytime',
      quiet: { from: '22:00', to: '07:00' },
      at: '2025-12-19T12:00:00Z',
      zone: 'UTC',
      expected: false,
    },
    {
      name: 'same-day-window',
      quiet: { from: '12:00', to: '14:00' },
      at: '2025-12-19T13:00:00Z',
      zone: 'UTC',
      expected: true,
    },
    {
      name: 'read-in-the-zone',
      quiet: { from: '22:00', to: '07:00' },
      at: '2025-12-19T20:30:00Z',
      zone: 'Asia/Jerusalem',
      expected: true,
    },
    {
      name: 'empty-window',
      quiet: { from: '08:00', to: '08:00' },
      at: '2025-12-19T08:00:00Z',
      zone: 'UTC',
      expected: false,
    },
    { name: 'no-quiet-hours', quiet: undefined, at: '2025-12-19T23:00:00Z', zone: 'UTC', expected: false },
  ])('$name', ({ quiet, at, zone, expected }) => {
    expect(isQuietTime(quiet, new Date(at), zone)).toBe(expected);
  });
});
