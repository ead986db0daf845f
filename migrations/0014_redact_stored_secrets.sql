-- Secrets never leave. Before this version a Traefik target id was its metrics URL as
-- written, password included, and the stored fleet copy held every URL as written. Target ids
-- are now the URL without credentials (services/core/redact.ts); this rewrites what was stored
-- the old way with the same redaction, so the ids continue (a Traefik's baseline, its runs and
-- its status carry over) and no password stays in the database. Where two old ids become one,
-- the newest row is kept.
CREATE FUNCTION pg_temp.redact(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT regexp_replace(
    regexp_replace(t, '([a-z][a-z0-9+.-]*://)[^[:space:]/?#''"<>]*@', '\1', 'gi'),
    '((^|[?&;[:space:]])[a-z0-9_.-]*(pass(word|wd|phrase)?|pwd|secret|token|api[_-]?key|auth)=)(''([^''\\]|\\.)*''|[^&;[:space:]#''"<>]*)',
    '\1***', 'gi')
$$;

DELETE FROM collector_status s USING collector_status o
 WHERE s.collector = o.collector AND s.target <> o.target AND pg_temp.redact(s.target) = pg_temp.redact(o.target)
   AND (s.finished_at, s.target) < (o.finished_at, o.target);
UPDATE collector_status SET target = pg_temp.redact(target), error = pg_temp.redact(error)
 WHERE target <> pg_temp.redact(target) OR error <> pg_temp.redact(error);

DELETE FROM collector_run s USING collector_run o
 WHERE s.collector = o.collector AND s.scheduled_at = o.scheduled_at AND s.target <> o.target
   AND s.target ~ '[@=]' AND pg_temp.redact(s.target) = pg_temp.redact(o.target) AND s.target < o.target;
UPDATE collector_run SET target = pg_temp.redact(target), error = pg_temp.redact(error)
 WHERE (target ~ '[@=]' AND target <> pg_temp.redact(target)) OR (error ~ '[@=]' AND error <> pg_temp.redact(error));

DELETE FROM traefik_scrape_state s USING traefik_scrape_state o
 WHERE s.target <> o.target AND pg_temp.redact(s.target) = pg_temp.redact(o.target)
   AND (s.scraped_at, s.target) < (o.scraped_at, o.target);
UPDATE traefik_scrape_state SET target = pg_temp.redact(target) WHERE target <> pg_temp.redact(target);

-- clusters that left the fleet file keep their stored copy: redact it too (jsonb text form:
-- URLs are plain JSON strings, and the redaction never crosses a quote)
UPDATE cluster SET spec = pg_temp.redact(spec::text)::jsonb WHERE spec::text <> pg_temp.redact(spec::text);
