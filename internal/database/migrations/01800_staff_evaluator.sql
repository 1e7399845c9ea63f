-- +goose Up
-- Evaluators browse the stored eval runs on the staff console; like the
-- command centre they have no wards, but unlike it they see no ward's data.
ALTER TABLE staff_users DROP CONSTRAINT staff_users_role_check;
ALTER TABLE staff_users DROP CONSTRAINT staff_users_check;
ALTER TABLE staff_users ADD CONSTRAINT staff_users_role_check
    CHECK (role IN ('ward_staff', 'duty_officer', 'command_centre', 'admin', 'evaluator'));
ALTER TABLE staff_users ADD CONSTRAINT staff_users_check
    CHECK (role IN ('command_centre', 'admin', 'evaluator') OR cardinality(wards) > 0);

-- +goose Down
DELETE FROM staff_users WHERE role = 'evaluator';
ALTER TABLE staff_users DROP CONSTRAINT staff_users_role_check;
ALTER TABLE staff_users DROP CONSTRAINT staff_users_check;
ALTER TABLE staff_users ADD CONSTRAINT staff_users_role_check
    CHECK (role IN ('ward_staff', 'duty_officer', 'command_centre', 'admin'));
ALTER TABLE staff_users ADD CONSTRAINT staff_users_check
    CHECK (role IN ('command_centre', 'admin') OR cardinality(wards) > 0);
