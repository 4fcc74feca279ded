-- The ledger's rules, checked once per statement instead of once per posting.
--
-- Why: a group-committed batch of 32 trades writes 96 postings in one statement. The per-row
-- triggers of 20261125020100_ledger.sql cost 12 ms of its 24 ms (the running balance: one
-- account UPDATE, with its guard trigger, per posting) plus 5 ms at COMMIT (the deferred
-- balance check: one index scan per posting), measured on the 2-core CI machine. Checked per
-- statement, the same rules cost one UPDATE per account and a few set-based queries.
--
-- What changes for writers: the inserting statement carries each posting's running balance
-- (`balance_after`) and owner (`user_id`), computed from the account rows it locks, and the
-- statement trigger verifies both against what the accounts really went through; an entry's
-- postings are written by one statement (as services/money/postings.ts always does), and the
-- entry must balance when that statement ends, not only at COMMIT. The rules themselves are the
-- same: every entry sums to zero over two or more postings, balances move only through postings
-- (and now every posting's balance_after is checked, not computed), guarded balances never go
-- negative, not even in between two postings of one statement, and postings name accounts that
-- exist.

drop trigger ledger_postings_apply on public.ledger_postings;
drop trigger ledger_postings_balanced on public.ledger_postings;
drop function public.ledger_apply_posting();
drop function public.ledger_check_entry_balanced();

create function public.ledger_apply_postings() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  bad record;
begin
  select p.account_id into bad
    from new_postings p left join public.ledger_accounts a on a.id = p.account_id
   where a.id is null
   limit 1;
  if found then
    raise exception 'ledger account % does not exist', bad.account_id
      using errcode = '23503', constraint = 'ledger_postings_account_exists';
  end if;

  -- Every entry this statement wrote to, over all of its postings (this statement's and any
  -- before it): two or more, summing to zero. Driven from the statement's own rows, one index
  -- lookup per entry: the plan is cached for the session, and a join the planner chose when
  -- the table was small (a sequential scan) would be kept as it grows.
  select e.entry_id, s.total, s.postings into bad
    from (select distinct n.entry_id from new_postings n) e
   cross join lateral (select sum(p.amount) as total, count(*) as postings
                         from public.ledger_postings p
                        where p.entry_id = e.entry_id) s
   where s.total <> 0 or s.postings < 2
   limit 1;
  if found then
    raise exception 'journal entry % does not balance: % postings summing to %', bad.entry_id, bad.postings, bad.total
      using errcode = '23514', constraint = 'ledger_entry_balanced';
  end if;

  -- The balances, one UPDATE per account (the platform accounts keep none). The account CHECK
  -- refuses a negative end balance here.
  update public.ledger_accounts a
     set balance = a.balance + s.total
    from (select n.account_id, sum(n.amount) as total from new_postings n group by n.account_id) s
   where a.id = s.account_id and a.balance is not null;

  -- Each posting carries the balance its account had right after it, in seq order, and the
  -- owner of a kept balance; NULL for the platform accounts. A negative running balance fails
  -- like a negative end balance would: the same constraint, the same error for the caller.
  select r.seq, r.account_id, r.balance_after, r.expected into bad
    from (select n.seq, n.account_id, n.balance_after, n.user_id, a.user_id as owner, a.balance is null as unkept,
                 a.balance - coalesce(sum(n.amount) over (partition by n.account_id order by n.seq desc
                                                          rows between unbounded preceding and 1 preceding), 0)
                   as expected
            from new_postings n join public.ledger_accounts a on a.id = n.account_id) r
   where r.balance_after is distinct from r.expected
      or (r.unkept and r.user_id is not null)
      or (not r.unkept and r.user_id is distinct from r.owner)
      or r.expected < 0
   limit 1;
  if found and bad.expected < 0 then
    raise exception 'posting % would leave account % at %', bad.seq, bad.account_id, bad.expected
      using errcode = '23514', constraint = 'ledger_accounts_balance_nonnegative';
  elsif found then
    raise exception 'posting % to account % carries balance_after %, not the running balance %',
      bad.seq, bad.account_id, bad.balance_after, bad.expected
      using errcode = '23514', constraint = 'ledger_postings_running_balance';
  end if;
  return null;
end
$$;

create trigger ledger_postings_apply after insert on public.ledger_postings
  referencing new table as new_postings
  for each statement execute function public.ledger_apply_postings();
