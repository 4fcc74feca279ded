/**
 * Migrations written after the previous release (test/compat/queries/) expand only, unless a
 * statement says which release stopped using what it removes (`-- contract: <release>`).
 */
import { describe, expect, it } from 'vitest'
import { readRecords } from '../../scripts/record-queries.js'
import { migrationsDir } from '../../src/db/migrate.js'
import { lintMigration, lintMigrationsAfter, statements } from './migration-lint.js'

const records = readRecords()
const previous = records.at(-1)!
const releases = records.map((r) => r.release)

describe('the migration lint', () => {
  it('finds no contracting change without its marker in the migrations after the previous release', () => {
    expect(previous, 'no recorded release in test/compat/queries').toBeDefined()
    expect(lintMigrationsAfter(migrationsDir, previous.lastMigration, releases)).toEqual([])
  })

  it('flags each contracting change, with the file and line', () => {
    const sql = [
      'create table public.t (a int);',
      'alter table public.markets drop column slug;',
      'alter table public.markets drop question;',
      'alter table public.markets rename column question to title;',
      'alter table public.markets\n  alter column question type varchar(200);',
      'alter table public.markets alter column question set data type varchar(200);',
      'drop table public.old_things;',
      'alter table public.markets alter column description set not null;',
      'drop index public.markets_slug_key;',
      'alter type public.thing drop attribute x;',
    ].join('\n')
    const found = lintMigration('20990101000000_contract.sql', sql, releases)
    expect(found.map((v) => [v.line, v.kind])).toEqual([
      [2, 'DROP COLUMN'],
      [3, 'DROP COLUMN'],
      [4, 'RENAME'],
      [5, 'ALTER COLUMN … TYPE'],
      [7, 'ALTER COLUMN … TYPE'],
      [8, 'DROP TABLE/VIEW/FUNCTION/TYPE'],
      [9, 'SET NOT NULL'],
      [10, 'DROP INDEX/CONSTRAINT'],
      [11, 'ALTER TYPE … DROP/ALTER ATTRIBUTE'],
    ])
    expect(found[0]?.message).toMatch(/^20990101000000_contract\.sql:2: DROP COLUMN without a '-- contract:/)
  })

  it('lets expanding changes through, and does not read comments, strings or relaxing DROPs', () => {
    const sql = `
      -- Later, once no release reads it, we will drop column legacy and rename the table.
      alter table public.markets add column summary text;
      alter table public.markets add column rank int not null default 0;
      alter table public.markets alter column description drop not null, alter column rank drop default;
      comment on column public.markets.summary is 'do not rename; drop column never';
      /* drop table public.markets; */
      create index concurrently markets_rank on public.markets (rank);
      create or replace function public.f() returns text language plpgsql as $body$
      begin
        raise exception 'cannot rename % or drop column %', 1, 2; -- alter table x drop column y
        return 'ok';
      end
      $body$;`
    expect(lintMigration('20990101000000_expand.sql', sql, releases)).toEqual([])
  })

  it('reads DDL inside a DO block, which runs when the migration does', () => {
    const sql = 'do $$ begin alter table public.markets drop column slug; end $$;'
    expect(lintMigration('x.sql', sql, releases).map((v) => v.kind)).toEqual(['DROP COLUMN'])
  })

  it('accepts a contracting change whose comment names a recorded release, and no other', () => {
    const [version] = previous.release.split('+')
    const marked = (marker: string) => `
      -- ${marker}
      alter table public.markets
        drop column slug; -- not read since then
    `
    expect(
      lintMigration('a.sql', marked(`contract: ${previous.release} stopped reading slug`), releases),
    ).toEqual([])
    expect(lintMigration('a.sql', marked(`contract: ${version}`), releases)).toEqual([])
    const unknown = lintMigration('a.sql', marked('contract: 9.9.9'), releases)
    expect(unknown.map((v) => v.message)).toEqual([
      expect.stringMatching(/^a\.sql:3: '-- contract: 9\.9\.9' names no recorded release/),
    ])
    // The marker belongs to its statement: one statement's marker does not cover the next.
    const next = `${marked(`contract: ${version}`)}\nalter table public.markets drop column question;`
    expect(lintMigration('a.sql', next, releases).map((v) => v.line)).toEqual([6])
  })

  it('splits statements at semicolons outside strings, comments and dollar quotes', () => {
    const found = statements(`select ';' as a; -- ; not here
      select $$ ; $$ /* ; */; select "semi;colon" from t`)
    expect(found.map((s) => s.code)).toEqual(["select '' as a", 'select $$ $$', 'select "" from t'])
    expect(found.map((s) => s.line)).toEqual([1, 2, 2])
  })
})
