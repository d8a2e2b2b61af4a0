--
-- PostgreSQL database cluster dump
--

\restrict Ed0dld3f2seJsS4jA65STca4E6aF36mnwPuIHQeIDwauhGS4Q8UuC9LAbJsEYQM

SET default_transaction_read_only = off;

SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;

--
-- Drop databases (except postgres and template1)
--

DROP DATABASE IF EXISTS "Odd-Name";
DROP DATABASE IF EXISTS shop;




--
-- Drop roles
--

DROP ROLE IF EXISTS admin_bot;
DROP ROLE IF EXISTS app_owner;
DROP ROLE IF EXISTS postgres;
DROP ROLE IF EXISTS readers;


--
-- Roles
--

CREATE ROLE admin_bot;
ALTER ROLE admin_bot WITH SUPERUSER INHERIT CREATEROLE NOCREATEDB LOGIN REPLICATION BYPASSRLS PASSWORD 'SCRAM-SHA-256$4096:dQvyUsVQ3gbK55RS+ebtDg==$W09u9C/dw0yViXuuJX0kO1y7AyBlwJTsYs3nQtEfMUk=:2uwydN4Ca0OkLLpfi8gDI652jfqjNmgpbePtIpUbKF8=';
CREATE ROLE app_owner;
ALTER ROLE app_owner WITH NOSUPERUSER INHERIT NOCREATEROLE CREATEDB LOGIN NOREPLICATION NOBYPASSRLS PASSWORD 'SCRAM-SHA-256$4096:XsAhRrAfClOaR7yXjwrKEw==$f5LBakWVsBdpr533oRLYveUdLmWCbImAPQ4rqNdrfaU=:mZk+uZbM/uJRj0s5oip8qQ1aglNtqXhxrRTiCMfwqbE=';
CREATE ROLE postgres;
ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;
CREATE ROLE readers;
ALTER ROLE readers WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;

--
-- User Configurations
--


--
-- Role memberships
--

GRANT readers TO app_owner GRANTED BY postgres;






\unrestrict Ed0dld3f2seJsS4jA65STca4E6aF36mnwPuIHQeIDwauhGS4Q8UuC9LAbJsEYQM

--
-- Databases
--

--
-- Database "template1" dump
--

--
-- PostgreSQL database dump
--

\restrict 4mzAnh42izaLjlLTtbm1b04vSQNxJZUbIcEq0euBOzihotslg4CeKmOFRfqgrtB

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

UPDATE pg_catalog.pg_database SET datistemplate = false WHERE datname = 'template1';
DROP DATABASE template1;
--
-- Name: template1; Type: DATABASE; Schema: -; Owner: postgres
--

CREATE DATABASE template1 WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'C.UTF-8';


ALTER DATABASE template1 OWNER TO postgres;

\unrestrict 4mzAnh42izaLjlLTtbm1b04vSQNxJZUbIcEq0euBOzihotslg4CeKmOFRfqgrtB
\connect template1
\restrict 4mzAnh42izaLjlLTtbm1b04vSQNxJZUbIcEq0euBOzihotslg4CeKmOFRfqgrtB

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
-- Name: DATABASE template1; Type: COMMENT; Schema: -; Owner: postgres
--

COMMENT ON DATABASE template1 IS 'default template for new databases';


--
-- Name: template1; Type: DATABASE PROPERTIES; Schema: -; Owner: postgres
--

ALTER DATABASE template1 IS_TEMPLATE = true;


\unrestrict 4mzAnh42izaLjlLTtbm1b04vSQNxJZUbIcEq0euBOzihotslg4CeKmOFRfqgrtB
\connect template1
\restrict 4mzAnh42izaLjlLTtbm1b04vSQNxJZUbIcEq0euBOzihotslg4CeKmOFRfqgrtB

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
-- Name: DATABASE template1; Type: ACL; Schema: -; Owner: postgres
--

REVOKE CONNECT,TEMPORARY ON DATABASE template1 FROM PUBLIC;
GRANT CONNECT ON DATABASE template1 TO PUBLIC;


--
-- PostgreSQL database dump complete
--

\unrestrict 4mzAnh42izaLjlLTtbm1b04vSQNxJZUbIcEq0euBOzihotslg4CeKmOFRfqgrtB

--
-- Database "Odd-Name" dump
--

--
-- PostgreSQL database dump
--

\restrict 7hq1SEVrXgsylogetes4YpXrJHfVSNyqmXjh8RFYlApj595A3QjtPiaY0ZPTxNg

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
-- Name: Odd-Name; Type: DATABASE; Schema: -; Owner: postgres
--

CREATE DATABASE "Odd-Name" WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'C.UTF-8';


ALTER DATABASE "Odd-Name" OWNER TO postgres;

\unrestrict 7hq1SEVrXgsylogetes4YpXrJHfVSNyqmXjh8RFYlApj595A3QjtPiaY0ZPTxNg
\encoding SQL_ASCII
\connect -reuse-previous=on "dbname='Odd-Name'"
\restrict 7hq1SEVrXgsylogetes4YpXrJHfVSNyqmXjh8RFYlApj595A3QjtPiaY0ZPTxNg

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

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: t; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.t (
    x integer
);


ALTER TABLE public.t OWNER TO postgres;

--
-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.t (x) FROM stdin;
1
2
\.


--
-- PostgreSQL database dump complete
--

\unrestrict 7hq1SEVrXgsylogetes4YpXrJHfVSNyqmXjh8RFYlApj595A3QjtPiaY0ZPTxNg

--
-- Database "postgres" dump
--

--
-- PostgreSQL database dump
--

\restrict yEKIywSYVWNJS9Hlo8MfCpIIPiHRcmnzKmkFv670eOtZ13ir78kxyJFohgKKAgw

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

DROP DATABASE postgres;
--
-- Name: postgres; Type: DATABASE; Schema: -; Owner: postgres
--

CREATE DATABASE postgres WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'C.UTF-8';


ALTER DATABASE postgres OWNER TO postgres;

\unrestrict yEKIywSYVWNJS9Hlo8MfCpIIPiHRcmnzKmkFv670eOtZ13ir78kxyJFohgKKAgw
\connect postgres
\restrict yEKIywSYVWNJS9Hlo8MfCpIIPiHRcmnzKmkFv670eOtZ13ir78kxyJFohgKKAgw

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
-- Name: DATABASE postgres; Type: COMMENT; Schema: -; Owner: postgres
--

COMMENT ON DATABASE postgres IS 'default administrative connection database';


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: in_postgres; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.in_postgres (
    x integer
);


ALTER TABLE public.in_postgres OWNER TO postgres;

--
-- Data for Name: in_postgres; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.in_postgres (x) FROM stdin;
42
\.


--
-- PostgreSQL database dump complete
--

\unrestrict yEKIywSYVWNJS9Hlo8MfCpIIPiHRcmnzKmkFv670eOtZ13ir78kxyJFohgKKAgw

--
-- Database "shop" dump
--

--
-- PostgreSQL database dump
--

\restrict brO8dDgx0rnh1oec6t5fWWz3oT47j2VQykJ3R7wPv60GGrteARpd4m2MYSTRd16

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
-- Name: shop; Type: DATABASE; Schema: -; Owner: app_owner
--

CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'C.UTF-8';


ALTER DATABASE shop OWNER TO app_owner;

\unrestrict brO8dDgx0rnh1oec6t5fWWz3oT47j2VQykJ3R7wPv60GGrteARpd4m2MYSTRd16
\connect shop
\restrict brO8dDgx0rnh1oec6t5fWWz3oT47j2VQykJ3R7wPv60GGrteARpd4m2MYSTRd16

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

\unrestrict brO8dDgx0rnh1oec6t5fWWz3oT47j2VQykJ3R7wPv60GGrteARpd4m2MYSTRd16

--
-- PostgreSQL database cluster dump complete
--

