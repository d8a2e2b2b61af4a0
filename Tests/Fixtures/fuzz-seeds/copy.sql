COPY t (a) FROM stdin;
1\\x
\.
\connect other
SELECT 'a' \! id
