DROP TABLE overlap_checks;
CREATE OR REPLACE FUNCTION ndp_fold(input text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, translate(input, 'đĐ', 'dD')));
UPDATE platforms SET name_vi = name_vi;
