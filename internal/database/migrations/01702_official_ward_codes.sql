-- Stations, dossiers and staff accounts name a unit of the official list
-- (admin_units, migration 01701). The earlier invented sample gave Phường
-- Sài Gòn the code 26734, which is no official code; rows that carry it move
-- to the official 26740 first. The foreign keys are added NOT VALID so that a
-- running installation with other old codes keeps working while every new or
-- changed row is checked (validate them once the old rows are corrected:
-- ALTER TABLE … VALIDATE CONSTRAINT …).
-- +goose Up
UPDATE wards SET code = '26740' WHERE code = '26734'
    AND NOT EXISTS (SELECT 1 FROM wards WHERE code = '26740');
UPDATE stations SET ward_code = '26740' WHERE ward_code = '26734';
UPDATE dossiers SET ward = '26740' WHERE ward = '26734';
UPDATE reports SET ward_code = '26740' WHERE ward_code = '26734';
UPDATE staff_users SET wards = array_replace(wards, '26734', '26740') WHERE '26734' = ANY (wards);

ALTER TABLE stations ADD CONSTRAINT stations_ward_official
    FOREIGN KEY (ward_code) REFERENCES admin_units (code) NOT VALID;
ALTER TABLE dossiers ADD CONSTRAINT dossiers_ward_official
    FOREIGN KEY (ward) REFERENCES admin_units (code) NOT VALID;

-- An array's elements cannot have a foreign key; a trigger checks them.
-- +goose StatementBegin
CREATE FUNCTION staff_wards_official() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unknown text;
BEGIN
    SELECT w INTO unknown FROM unnest(NEW.wards) AS w
    WHERE NOT EXISTS (SELECT 1 FROM admin_units u WHERE u.code = w) LIMIT 1;
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'ward % is not an official unit', unknown
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'staff_users_wards_official';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

CREATE TRIGGER staff_users_wards_official
    BEFORE INSERT OR UPDATE OF wards ON staff_users
    FOR EACH ROW EXECUTE FUNCTION staff_wards_official();

-- +goose Down
DROP TRIGGER staff_users_wards_official ON staff_users;
DROP FUNCTION staff_wards_official();
ALTER TABLE dossiers DROP CONSTRAINT dossiers_ward_official;
ALTER TABLE stations DROP CONSTRAINT stations_ward_official;
