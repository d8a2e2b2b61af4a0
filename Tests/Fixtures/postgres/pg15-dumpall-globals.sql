--
-- PostgreSQL database cluster dump
--

\restrict WboDL9Y2AccHYKeGx3XUUjGzU1aY6CLbfgjf554Y39b1YQy14lESHc4caoob8yL

SET default_transaction_read_only = off;

SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;

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






\unrestrict WboDL9Y2AccHYKeGx3XUUjGzU1aY6CLbfgjf554Y39b1YQy14lESHc4caoob8yL

--
-- PostgreSQL database cluster dump complete
--

