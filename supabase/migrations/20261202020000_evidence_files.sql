-- Evidence files attached to resolutions and disputes (services/evidence). The bytes live in the
-- configured store (local folder, S3, Supabase Storage) under their SHA-256; a row is one upload:
-- who sent it, under which name and type. A resolution or dispute that attaches a file copies
-- its id, hash, size, type and name into its own evidence, so the anchored resolution record
-- carries the hash; attached_at makes the file readable by anyone from then on (the evidence of
-- a public resolution is public), before that only its uploader and admins see it.
create table public.evidence_files (
  id uuid primary key default gen_random_uuid(),
  uploader_id uuid not null references auth.users (id),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint not null check (size >= 0),
  content_type text not null check (char_length(content_type) between 1 and 200),
  filename text not null check (char_length(filename) between 1 and 255),
  storage text not null check (storage in ('local', 's3', 'supabase')),
  storage_key text not null check (char_length(storage_key) <= 200),
  attached_at timestamptz,
  created_at timestamptz not null
);
create index evidence_files_uploader_idx on public.evidence_files (uploader_id, created_at);

-- A dispute's attached files, as a resolution's are in markets.resolution_evidence.files.
alter table public.market_disputes add column evidence_files jsonb;

revoke all on public.evidence_files from anon, authenticated;
alter table public.evidence_files enable row level security;
create policy evidence_files_service on public.evidence_files for select to service_role using (true);
