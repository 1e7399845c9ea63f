-- ward_name is the name staff know a ward by: the official unit's
-- (admin_units), else the name its imported boundary carries (wards, from
-- `station import wards`); NULL for a code neither knows, which the pages
-- then show as "phường mã …". The consoles (staff header, fleet, help
-- calls, station statistics) read it instead of each joining both tables.
-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION ward_name(code text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce((SELECT u.name FROM admin_units u WHERE u.code = $1),
                    (SELECT w.name FROM wards w WHERE w.code = $1))
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION ward_name(text);
