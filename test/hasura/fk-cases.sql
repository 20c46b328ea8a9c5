-- Foreign-key and naming cases for the Hasura metadata generator (test/hasura). Each block names
-- the case it exercises; the expected relationship names are asserted in metadata.test.ts.
SET client_min_messages = warning;
CREATE SCHEMA heroku_ext;
CREATE EXTENSION citext WITH SCHEMA heroku_ext;

-- Several keys to the same table (created_by, updated_by) and a plain one (account_id).
CREATE TABLE accounts (id bigint PRIMARY KEY, email heroku_ext.citext NOT NULL UNIQUE);
CREATE TABLE invoices (
  id bigint PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  created_by bigint REFERENCES accounts (id),
  updated_by bigint REFERENCES accounts (id)
);

-- A column named like the relationship (object side) and like the array relationship.
CREATE TABLE customers (id int PRIMARY KEY, orders text);
CREATE TABLE orders (id int PRIMARY KEY, customer text, customer_id int REFERENCES customers (id));

-- Self reference.
CREATE TABLE employees (id int PRIMARY KEY, manager_id int REFERENCES employees (id));

-- Composite key.
CREATE TABLE order_lines (order_no int, line_no int, PRIMARY KEY (order_no, line_no));
CREATE TABLE shipments (id int PRIMARY KEY, order_no int, line_no int,
  CONSTRAINT shipments_line_fkey FOREIGN KEY (order_no, line_no) REFERENCES order_lines (order_no, line_no));

-- One-to-one: the referencing column is the referencing table's primary key.
CREATE TABLE users (id int PRIMARY KEY);
CREATE TABLE user_profiles (user_id int PRIMARY KEY REFERENCES users (id), bio text);

-- Across schemas.
CREATE SCHEMA billing;
CREATE TABLE billing.payments (id int PRIMARY KEY, account_id bigint REFERENCES public.accounts (id));

-- The fallback is taken too: a number is appended.
CREATE TABLE owners (id int PRIMARY KEY);
CREATE TABLE pets (id int PRIMARY KEY, owner int, "ownerByOwnerId" int, owner_id int REFERENCES owners (id));

-- The console's `name in {}`: "constructor" counts as taken.
CREATE TABLE constructors (id int PRIMARY KEY);
CREATE TABLE machines (id int PRIMARY KEY, constructor_id int REFERENCES constructors (id));

-- Two keys on the same column (towards different tables): written as manual configurations.
CREATE TABLE regions (id int PRIMARY KEY);
CREATE TABLE zones (id int PRIMARY KEY);
CREATE TABLE depots (id int PRIMARY KEY, area_id int,
  CONSTRAINT depots_region_fkey FOREIGN KEY (area_id) REFERENCES regions (id),
  CONSTRAINT depots_zone_fkey FOREIGN KEY (area_id) REFERENCES zones (id));

-- Quoted, mixed-case and unicode names; a table without columns; a name clash between schemas.
CREATE TABLE "CamelCase" ("Id" int PRIMARY KEY, "select" text);
CREATE TABLE "Ünïcödé" (id int PRIMARY KEY);
CREATE TABLE "with space" (id int PRIMARY KEY);
CREATE TABLE odd_columns (id int PRIMARY KEY, "has space" text);
CREATE TABLE nothing ();
CREATE SCHEMA crm;
CREATE TABLE crm.notes (id int PRIMARY KEY);
CREATE TABLE crm_notes (id int PRIMARY KEY);
-- A key to a table that is not tracked.
CREATE TABLE badges (id int PRIMARY KEY, owner_id int REFERENCES "with space" (id) DEFERRABLE);

-- Views, a partitioned table with partitions, no primary key.
CREATE VIEW big_invoices AS SELECT * FROM invoices WHERE id > 100;
CREATE MATERIALIZED VIEW invoice_counts AS SELECT account_id, count(*) AS n FROM invoices GROUP BY account_id;
CREATE TABLE readings (id bigint NOT NULL, taken_on date NOT NULL, PRIMARY KEY (id, taken_on)) PARTITION BY RANGE (taken_on);
CREATE TABLE readings_2024 PARTITION OF readings FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE readings_other PARTITION OF readings DEFAULT;
CREATE TABLE log_lines (at timestamptz, line text);
