-- Row-level security applies to the table owner too (grants come from the default privileges of 0002).
ALTER TABLE "topic_digests" FORCE ROW LEVEL SECURITY;
