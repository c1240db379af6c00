-- The role the application serves as. Roles are cluster-wide, hence IF NOT EXISTS.
-- NOLOGIN here: start-up (or the operator) grants a login and password.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'parley_app') THEN
    CREATE ROLE parley_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;
