-- A station's event (up, down, a peripheral's fault, warning or recovery)
-- is announced on the kiosk_fleet channel when it commits, for the fleet
-- console's live updates. Heartbeats that change nothing insert no event and
-- so notify no one.
-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION notify_kiosk_fleet() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('kiosk_fleet', NEW.station_id::text);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER station_events_notify AFTER INSERT ON station_events
    FOR EACH ROW EXECUTE FUNCTION notify_kiosk_fleet();

-- +goose Down
DROP TRIGGER station_events_notify ON station_events;
DROP FUNCTION notify_kiosk_fleet();
