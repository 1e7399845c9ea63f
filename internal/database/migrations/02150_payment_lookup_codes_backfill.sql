-- Orders made before 02000 have no lookup code, so nothing could find
-- them again by code: each gets one now, made as NewTrackingCode makes
-- them (8 symbols of 23456789ABCDEFGHJKMNPQRSTVWXYZ from the server's
-- strong random source behind gen_random_uuid, then the Luhn mod 30 check
-- symbol) behind TT. The station's copy of the receipt and the order show
-- it; the resident proves it with the last four characters of the
-- customer code (letters folded to upper case) or of the dossier's ID or
-- phone number.
-- +goose Up
-- +goose StatementBegin
DO $$
DECLARE
    alphabet constant text := '23456789ABCDEFGHJKMNPQRSTVWXYZ';
    pid      text;
    n        bigint;
    body     text;
    code     text;
    factor   int;
    total    int;
    addend   int;
BEGIN
    FOR pid IN SELECT id FROM payments WHERE lookup_code IS NULL ORDER BY created_at FOR UPDATE LOOP
        LOOP
            -- 48 random bits of a version 4 UUID (its first 12 hex digits).
            n := ('x' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 12))::bit(48)::bigint;
            body := '';
            FOR i IN 1..8 LOOP
                body := body || substr(alphabet, (n % 30)::int + 1, 1);
                n := n / 30;
            END LOOP;
            factor := 2;
            total := 0;
            FOR i IN REVERSE 8..1 LOOP
                addend := factor * (strpos(alphabet, substr(body, i, 1)) - 1);
                factor := 3 - factor;
                total := total + addend / 30 + addend % 30;
            END LOOP;
            code := 'TT' || body || substr(alphabet, (30 - total % 30) % 30 + 1, 1);
            EXIT WHEN NOT EXISTS (SELECT 1 FROM payments WHERE lookup_code = code);
        END LOOP;
        UPDATE payments SET lookup_code = code WHERE id = pid;
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- The codes stay: they may have been printed since.
SELECT 1;
