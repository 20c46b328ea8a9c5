-- A source database exercising what a Heroku Postgres database can hold. Loaded into a fresh
-- database by the import tests; every feature here must survive the import verified equal.
-- Sizes stay small for speed, except "big_events" (60k rows, ~17 MB) sized for ctid splitting.
SET client_min_messages = warning;

-- Heroku installs extensions in heroku_ext (2022–2023) and puts it on the search_path.
CREATE SCHEMA heroku_ext;
CREATE EXTENSION citext WITH SCHEMA heroku_ext;
CREATE EXTENSION hstore WITH SCHEMA heroku_ext;
CREATE EXTENSION btree_gist WITH SCHEMA heroku_ext;
-- Heroku installs pg_stat_statements in every database; it holds no data and is not copied.
CREATE EXTENSION pg_stat_statements WITH SCHEMA heroku_ext;
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = "$user", public, heroku_ext', current_database()); END $$;
SET search_path = public, heroku_ext;

CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'ünïcödé mood');
CREATE DOMAIN positive_money AS numeric(12, 2) CHECK (VALUE >= 0);
CREATE TYPE address AS (street text, city text, zip text);
CREATE TYPE float_range AS RANGE (subtype = float8);

CREATE TABLE customers (
  id bigint GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 7) PRIMARY KEY,
  email heroku_ext.citext NOT NULL UNIQUE,
  name text NOT NULL DEFAULT '',
  attrs heroku_ext.hstore,
  profile jsonb,
  tags text[],
  avatar bytea,
  balance positive_money NOT NULL DEFAULT 0,
  current_mood mood,
  home address,
  created_at timestamptz NOT NULL DEFAULT now(),
  name_upper text GENERATED ALWAYS AS (upper(name)) STORED
);
COMMENT ON TABLE customers IS 'customers imported from the legacy app';
COMMENT ON COLUMN customers.email IS 'case-insensitive e-mail';

INSERT INTO customers (email, name, attrs, profile, tags, avatar, balance, current_mood, home, created_at)
SELECT 'User' || g || '@Example.com',
       CASE WHEN g % 10 = 0 THEN '' ELSE 'name ' || g || E' with \\ backslash, tab\t and newline\n' END,
       CASE WHEN g % 7 = 0 THEN NULL ELSE heroku_ext.hstore(ARRAY['plan', 'k"q'], ARRAY['p' || (g % 5), NULL]) END,
       CASE WHEN g % 5 = 0 THEN NULL ELSE jsonb_build_object('age', g % 90, 'nested', jsonb_build_object('a', ARRAY[g, g + 1]), 'f', g / 3.0) END,
       CASE WHEN g % 3 = 0 THEN NULL WHEN g % 3 = 1 THEN '{}'::text[] ELSE ARRAY['a' || g, NULL, '', 'quote"d', 'comma,d'] END,
       CASE WHEN g % 4 = 0 THEN NULL ELSE decode(md5(g::text), 'hex') || '\x00ff'::bytea END,
       (g * 13.37)::numeric(12, 2),
       CASE WHEN g % 6 = 0 THEN NULL ELSE (ARRAY['sad', 'ok', 'happy', 'ünïcödé mood']::mood[])[1 + g % 4] END,
       CASE WHEN g % 8 = 0 THEN NULL ELSE ROW('Street ' || g, CASE WHEN g % 2 = 0 THEN '' ELSE 'Zürich' END, NULL)::address END,
       timestamptz '2024-01-01 00:00:00+00' + (g || ' minutes')::interval + interval '0.123456 seconds'
FROM generate_series(1, 600) g;

CREATE SEQUENCE invoice_no_seq START 1000 INCREMENT BY 5 CACHE 3;
CREATE TABLE invoices (
  invoice_no bigint PRIMARY KEY DEFAULT nextval('invoice_no_seq'),
  customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  amount numeric NOT NULL CHECK (amount >= 0),
  exact numeric(30, 10),
  ratio double precision,
  real_ratio real,
  issued_on date,
  due_in interval,
  ref uuid,
  note text
);
ALTER SEQUENCE invoice_no_seq OWNED BY invoices.invoice_no;
INSERT INTO invoices (customer_id, amount, exact, ratio, real_ratio, issued_on, due_in, ref, note)
SELECT 100 + 7 * (g % 600), (g % 10000) / 100.0, g / 7.0, CASE WHEN g % 11 = 0 THEN 'NaN'::float8 WHEN g % 13 = 0 THEN '-Infinity'::float8 ELSE 1.0 / g END,
       (1.0 / g)::real, date '2023-06-01' + g, (g || ' days ' || g % 24 || ' hours')::interval + interval '1 mon',
       md5(g::text)::uuid, CASE WHEN g % 9 = 0 THEN NULL WHEN g % 9 = 1 THEN '' ELSE 'invoice ' || g END
FROM generate_series(1, 3000) g;
SELECT setval('invoice_no_seq', 20000);

-- Odd sequences: negative increment, never called, and one used by a default in another schema.
CREATE SEQUENCE countdown_seq INCREMENT BY -3 MINVALUE -1000000 MAXVALUE 100 START 100;
SELECT nextval('countdown_seq'), nextval('countdown_seq');
CREATE SEQUENCE never_called_seq START 42;

-- Schema with mixed-case, quoted and unicode identifiers.
CREATE SCHEMA "Sales Dept";
CREATE TABLE "Sales Dept"."Order Lines" ("Line ID" serial PRIMARY KEY, "qty" int NOT NULL, "Ünïcödé" text, "select" text, """quoted""" text);
INSERT INTO "Sales Dept"."Order Lines" ("qty", "Ünïcödé", "select", """quoted""")
SELECT g, CASE WHEN g % 2 = 0 THEN 'ü' || g ELSE NULL END, CASE WHEN g % 3 = 0 THEN '' ELSE 'sel' END, '"' || g || '"' FROM generate_series(1, 50) g;
CREATE TABLE "Sales Dept".données (clé text PRIMARY KEY, valeur text);
INSERT INTO "Sales Dept".données VALUES ('é', 'à'), ('', NULL), ('tab	key', E'line\nbreak');

-- Table without a primary key, with duplicate rows (a re-run must not double them).
CREATE TABLE audit_log (at timestamptz, actor text, payload jsonb);
INSERT INTO audit_log SELECT timestamptz '2024-02-02 02:02:02.5+05:30', CASE WHEN g % 2 = 0 THEN NULL ELSE 'actor' END, '{"same": true}'
FROM generate_series(1, 200) g;

-- Partitioned table (range) with a default partition and a partitioned index.
CREATE TABLE measurements (id bigint NOT NULL, taken_on date NOT NULL, value numeric, PRIMARY KEY (id, taken_on)) PARTITION BY RANGE (taken_on);
CREATE TABLE measurements_2023 PARTITION OF measurements FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE measurements_other PARTITION OF measurements DEFAULT;
CREATE INDEX measurements_value_idx ON measurements (value);
INSERT INTO measurements SELECT g, date '2022-12-01' + (g % 800), g * 1.5 FROM generate_series(1, 1500) g;

-- Inheritance: rows in the parent and in the child.
CREATE TABLE vehicles (id int PRIMARY KEY, wheels int);
CREATE TABLE trucks (payload_kg int) INHERITS (vehicles);
INSERT INTO vehicles VALUES (1, 4), (2, 2);
INSERT INTO trucks VALUES (3, 6, 12000), (4, 18, 40000);

-- Ranges and an exclusion constraint (needs btree_gist for the = on room).
CREATE TABLE bookings (id serial PRIMARY KEY, room int NOT NULL, during tstzrange NOT NULL, temps float_range, span int4range,
  EXCLUDE USING gist (room WITH =, during WITH &&));
INSERT INTO bookings (room, during, temps, span)
SELECT g % 5, tstzrange(timestamptz '2024-03-01' + (g || ' hours')::interval, timestamptz '2024-03-01' + ((g + 1) || ' hours')::interval),
       float_range(g, g + 0.5), int4range(g, NULL) FROM generate_series(1, 100) g;

-- Circular, deferrable foreign keys.
CREATE TABLE teams (id int PRIMARY KEY, captain_id int);
CREATE TABLE players (id int PRIMARY KEY, team_id int REFERENCES teams (id) DEFERRABLE INITIALLY DEFERRED);
ALTER TABLE teams ADD CONSTRAINT teams_captain_fk FOREIGN KEY (captain_id) REFERENCES players (id) DEFERRABLE INITIALLY DEFERRED;
BEGIN;
INSERT INTO teams VALUES (1, 10), (2, 20);
INSERT INTO players VALUES (10, 1), (11, 1), (20, 2), (21, NULL);
COMMIT;

-- Functions, a trigger, a view and materialized views (one depending on the other, one unpopulated).
CREATE FUNCTION customer_balance(cid bigint) RETURNS numeric LANGUAGE sql STABLE AS
  $$ SELECT coalesce(sum(amount), 0) FROM invoices WHERE customer_id = cid $$;
CREATE FUNCTION touch_note() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN NEW.note := coalesce(NEW.note, 'touched'); RETURN NEW; END $$;
CREATE TRIGGER invoices_touch BEFORE INSERT ON invoices FOR EACH ROW EXECUTE FUNCTION touch_note();
CREATE VIEW active_customers AS SELECT id, email, name FROM customers WHERE current_mood IS DISTINCT FROM 'sad';
CREATE MATERIALIZED VIEW customer_totals AS SELECT customer_id, sum(amount) AS total, count(*) AS n FROM invoices GROUP BY customer_id;
CREATE UNIQUE INDEX customer_totals_pk ON customer_totals (customer_id);
CREATE MATERIALIZED VIEW top_customers AS SELECT customer_id, total FROM customer_totals ORDER BY total DESC LIMIT 10;
CREATE MATERIALIZED VIEW not_yet AS SELECT 1 AS one WITH NO DATA;
CREATE INDEX invoices_customer_idx ON invoices (customer_id);
CREATE INDEX customers_profile_gin ON customers USING gin (profile);
CREATE INDEX customers_lower_name ON customers (lower(name)) WHERE name <> '';
COMMENT ON INDEX invoices_customer_idx IS 'for the customer page';

-- Large objects.
SELECT lo_from_bytea(424242, decode(repeat(md5('lo'), 5000), 'hex'));
SELECT lo_from_bytea(0, ''::bytea);
SELECT lo_from_bytea(0, convert_to('hello large object', 'UTF8'));

-- A table with very different size: 60k rows, wide enough to span many pages (split by ctid).
CREATE TABLE big_events (id bigint PRIMARY KEY, kind text NOT NULL, body text, at timestamptz);
INSERT INTO big_events SELECT g, 'kind' || (g % 17), repeat(md5(g::text), 6), timestamptz '2024-05-05' + (g || ' s')::interval
FROM generate_series(1, 60000) g;

-- Empty table and a table with only NULLs and empty strings.
CREATE TABLE empty_table (id int, t text);
CREATE TABLE nulls_and_empties (a text, b text[], c jsonb, d bytea, e int);
INSERT INTO nulls_and_empties VALUES (NULL, NULL, NULL, NULL, NULL), ('', '{}', '""', '', 0), ('', '{""}', '{}', '\x', NULL), ('\N', '{NULL}', 'null', '\x00', -0);

ANALYZE;
