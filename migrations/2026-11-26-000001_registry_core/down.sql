DROP TABLE contacts;
DROP TABLE list_memberships;
DROP TABLE platform_ownerships;
DROP TABLE platforms;
DROP TABLE list_declared_counts;
DROP TABLE list_editions;
DROP TABLE ministries;
DROP FUNCTION ndp_fold(text);
-- The extensions stay: other objects in the database may depend on them.
