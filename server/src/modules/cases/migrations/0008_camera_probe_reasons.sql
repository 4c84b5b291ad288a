-- The camera probe stored why a camera was down as an English phrase or a system code ("no answer in 3000 ms",
-- "refused: 10.0.0.5 is a private address (…)", "ECONNREFUSED", "HTTP 503") that the places page pattern-parsed to
-- show it in Vietnamese. It now stores a reason code (cases/cameras.ts PROBE_REASONS) and a short detail (the
-- status, the deadline, the blocked address, the system code); the page has a text per code in each language.
-- Old rows are converted; a phrase this migration does not know becomes 'other' with the phrase as its detail.
alter table place_cameras add column last_probe_reason text
  check (last_probe_reason is null or last_probe_reason in
    ('invalid-url', 'scheme', 'blocked', 'dns', 'refused', 'reset', 'unreachable', 'timeout', 'tls', 'protocol', 'http', 'other'));
alter table place_cameras add column last_probe_detail text check (last_probe_detail is null or length(last_probe_detail) <= 100);

update place_cameras set (last_probe_reason, last_probe_detail) = (
  select r.reason, left(r.detail, 100) from (select
    case
      when e = 'invalid URL' then 'invalid-url'
      when e ~ '^refused: scheme ' then 'scheme'
      when e ~ '^refused: ' then 'blocked'
      when e in ('ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'ENODATA', 'ESERVFAIL', 'DNS lookup failed') then 'dns'
      when e = 'ECONNREFUSED' then 'refused'
      when e in ('ECONNRESET', 'EPIPE') then 'reset'
      when e in ('EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN') then 'unreachable'
      when e ~ '^no answer in \d+ ms$' or e = 'ETIMEDOUT' then 'timeout'
      when e ~ '^HTTP \d{3}$' then 'http'
      when e ~ '^(ERR_SSL_|ERR_TLS_|EPROTO$|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(VERIFY|GET)_|HOSTNAME_MISMATCH$)' then 'tls'
      when e ~ '^HPE_' then 'protocol'
      else 'other'
    end as reason,
    case
      when e ~ '^refused: scheme ' then substring(e from '^refused: scheme ([^: ]+):?')
      when e ~ '^refused: ' then substring(e from '^refused: (\S+) is ')
      when e ~ '^no answer in \d+ ms$' then substring(e from '(\d+)')
      when e ~ '^HTTP \d{3}$' then substring(e from '(\d{3})')
      when e in ('invalid URL', 'ECONNREFUSED', 'ETIMEDOUT', 'DNS lookup failed') then null
      else nullif(e, '')
    end as detail
    from (select coalesce(last_probe_error, '') as e) x) r)
  where last_probe_ok = false;

alter table place_cameras drop column last_probe_error;
