-- Run once by the postgres image on an empty data directory
-- (mounted into /docker-entrypoint-initdb.d/, executed with psql as POSTGRES_USER).
-- Creates the application role and one database per aftersales process.
-- Idempotent: safe to run again by hand with
--   psql -U postgres -v ON_ERROR_STOP=1 -f init-databases.sql

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'aftersales') THEN
        CREATE ROLE aftersales WITH LOGIN PASSWORD 'aftersales';
    END IF;
END
$$;

-- CREATE DATABASE cannot run inside a DO block / transaction, so use psql's \gexec.
SELECT 'CREATE DATABASE reception OWNER aftersales'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'reception')\gexec

SELECT 'CREATE DATABASE workshop OWNER aftersales'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'workshop')\gexec

SELECT 'CREATE DATABASE parts OWNER aftersales'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'parts')\gexec

SELECT 'CREATE DATABASE claims OWNER aftersales'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'claims')\gexec

SELECT 'CREATE DATABASE customer_care OWNER aftersales'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'customer_care')\gexec

SELECT 'CREATE DATABASE gateway OWNER aftersales'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'gateway')\gexec
