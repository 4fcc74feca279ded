import { describe, expect, test } from 'vitest'
import { completeRule, SettingsError } from '../../src/domain/agents/settings.js'

describe("a decision rule's min_volume", () => {
  test('is a canonical decimal amount', () => {
    expect(completeRule({ min_volume: '10.5' }).min_volume).toBe('10.5')
    for (const bad of ['010', '1e3', '-1', '1.1234567', '', '1234567890123']) {
      expect(() => completeRule({ min_volume: bad }), bad).toThrow(SettingsError)
    }
  })
})
