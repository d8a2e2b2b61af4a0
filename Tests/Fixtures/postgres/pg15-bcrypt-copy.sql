--
-- PostgreSQL database dump
--

\restrict 4ihShYsrt2YkQ3x42j9hQZk3CIIMs0AxeLmfDtBlbuGpmg7MPjUwqYohw4IbwQI

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: f(); Type: FUNCTION; Schema: public; Owner: app_owner
--

CREATE FUNCTION public.f() RETURNS text
    LANGUAGE sql
    AS $$ SELECT E'it''s \\ ok' $$;


ALTER FUNCTION public.f() OWNER TO app_owner;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: orders; Type: TABLE; Schema: public; Owner: app_owner
--

CREATE TABLE public.orders (
    id integer NOT NULL,
    user_id integer,
    total numeric
);


ALTER TABLE public.orders OWNER TO app_owner;

--
-- Name: secrets; Type: TABLE; Schema: public; Owner: app_owner
--

CREATE TABLE public.secrets (
    label text,
    hash text DEFAULT '\$x$'''::text,
    raw bytea
);


ALTER TABLE public.secrets OWNER TO app_owner;

--
-- Name: TABLE secrets; Type: COMMENT; Schema: public; Owner: app_owner
--

COMMENT ON TABLE public.secrets IS 'holds $$ and \ and it''s';


--
-- Name: users; Type: TABLE; Schema: public; Owner: app_owner
--

CREATE TABLE public.users (
    id integer NOT NULL,
    email text NOT NULL,
    encrypted_password text,
    note text
);


ALTER TABLE public.users OWNER TO app_owner;

--
-- Name: users_id_seq; Type: SEQUENCE; Schema: public; Owner: app_owner
--

CREATE SEQUENCE public.users_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.users_id_seq OWNER TO app_owner;

--
-- Name: users_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: app_owner
--

ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;


--
-- Name: users id; Type: DEFAULT; Schema: public; Owner: app_owner
--

ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);


--
-- Data for Name: orders; Type: TABLE DATA; Schema: public; Owner: app_owner
--

COPY public.orders (id, user_id, total) FROM stdin;
1	2	1.5
2	3	3.0
3	4	4.5
4	5	6.0
5	1	7.5
6	2	9.0
7	3	10.5
8	4	12.0
9	5	13.5
10	1	15.0
11	2	16.5
12	3	18.0
13	4	19.5
14	5	21.0
15	1	22.5
16	2	24.0
17	3	25.5
18	4	27.0
19	5	28.5
20	1	30.0
\.


--
-- Data for Name: secrets; Type: TABLE DATA; Schema: public; Owner: app_owner
--

COPY public.secrets (label, hash, raw) FROM stdin;
\N	$2a$10$abcdefghijklmnopqrstuv	\\x24320a
\\connect -reuse-previous=on host=evil	$1$salt$hash	\N
\\.x	$$	\\x5c2e
\.


--
-- Data for Name: users; Type: TABLE DATA; Schema: public; Owner: app_owner
--

COPY public.users (id, email, encrypted_password, note) FROM stdin;
1	a@example.com	$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy	plain
2	b@example.com	$2y$12$QjSH496pcT5CEbzjD/vtVeH03tfHKFy36d4J0Ltp3lRtee9HDxY3K	back\\slash and tab\there
3	c@example.com	$$ not a quote $tag$	\\.
4	d@example.com	$2b$10$abc	line1\nline2
5	e@example.com	\\connect evil	$body$ text
\.


--
-- Name: users_id_seq; Type: SEQUENCE SET; Schema: public; Owner: app_owner
--

SELECT pg_catalog.setval('public.users_id_seq', 5, true);


--
-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: public; Owner: app_owner
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: app_owner
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: orders orders_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: app_owner
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: TABLE users; Type: ACL; Schema: public; Owner: app_owner
--

GRANT SELECT ON TABLE public.users TO readers;


--
-- PostgreSQL database dump complete
--

\unrestrict 4ihShYsrt2YkQ3x42j9hQZk3CIIMs0AxeLmfDtBlbuGpmg7MPjUwqYohw4IbwQI

