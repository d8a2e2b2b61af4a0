CREATE OR REPLACE PROCEDURAL LANGUAGE plpgsqlndarGd_conforµµµµµµµµµµµµµµµµµµµµµµµµµµµµµµµµµming_string······························id ';

\e
