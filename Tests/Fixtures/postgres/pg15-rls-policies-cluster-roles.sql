--
-- PostgreSQL database dump
--

\restrict oe8jgdo5ZZJ2oKszN8H473LyzlWi20k69aherZTBtqibFFp4DeoSgCP3F2i4yAs

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

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: profiles; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.profiles (
    id integer NOT NULL,
    owner text NOT NULL,
    bio text
);


ALTER TABLE public.profiles OWNER TO postgres;

--
-- Data for Name: profiles; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.profiles (id, owner, bio) FROM stdin;
1	user1	bio 1
2	user2	bio 2
3	user3	bio 3
4	user4	bio 4
5	user5	bio 5
6	user6	bio 6
7	user7	bio 7
8	user8	bio 8
9	user9	bio 9
10	user10	bio 10
11	user11	bio 11
12	user12	bio 12
\.


--
-- Name: profiles profiles_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.profiles
    ADD CONSTRAINT profiles_pkey PRIMARY KEY (id);


--
-- Name: profiles Profiles are viewable by everyone; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY "Profiles are viewable by everyone" ON public.profiles FOR SELECT TO anon, authenticated USING (true);


--
-- Name: profiles everyone_insert; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY everyone_insert ON public.profiles AS RESTRICTIVE FOR INSERT WITH CHECK ((id > 0));


--
-- Name: profiles owner_update; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY owner_update ON public.profiles FOR UPDATE TO authenticated USING ((owner = CURRENT_USER)) WITH CHECK ((owner = CURRENT_USER));


--
-- Name: profiles; Type: ROW SECURITY; Schema: public; Owner: postgres
--

ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;

--
-- Name: profiles service_all; Type: POLICY; Schema: public; Owner: postgres
--

CREATE POLICY service_all ON public.profiles TO "service role" USING (true);


--
-- Name: TABLE profiles; Type: ACL; Schema: public; Owner: postgres
--

GRANT SELECT ON TABLE public.profiles TO anon;
GRANT SELECT ON TABLE public.profiles TO authenticated;
GRANT ALL ON TABLE public.profiles TO "service role";


--
-- PostgreSQL database dump complete
--

\unrestrict oe8jgdo5ZZJ2oKszN8H473LyzlWi20k69aherZTBtqibFFp4DeoSgCP3F2i4yAs

