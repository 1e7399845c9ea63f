-- +goose Up
-- A success IPN for an expired order, after the resident made a newer order
-- for the same bill or fee: the newer orders still waiting are superseded
-- (nothing was taken on them), and a payment of something already paid is
-- refund_due until staff give the money back. related_payment_id names the
-- order that superseded, or had already paid, this one.
ALTER TABLE payments DROP CONSTRAINT payments_state_check;
ALTER TABLE payments ADD CONSTRAINT payments_state_check
    CHECK (state IN ('created', 'pending', 'paid', 'failed', 'expired', 'refunded', 'superseded', 'refund_due'));
ALTER TABLE payments ADD COLUMN related_payment_id text REFERENCES payments (id);
CREATE INDEX payments_refund_due_idx ON payments (updated_at) WHERE state = 'refund_due';

-- +goose Down
DROP INDEX payments_refund_due_idx;
ALTER TABLE payments DROP COLUMN related_payment_id;
ALTER TABLE payments DROP CONSTRAINT payments_state_check;
ALTER TABLE payments ADD CONSTRAINT payments_state_check
    CHECK (state IN ('created', 'pending', 'paid', 'failed', 'expired', 'refunded'));
