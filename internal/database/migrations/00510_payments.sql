-- +goose Up
-- Payment orders. Amounts are integer VND. The id is also the gateway's
-- vnp_TxnRef and the VietQR reference, so it is short and alphanumeric.
CREATE TABLE payments (
    id               text        PRIMARY KEY,
    purpose          text        NOT NULL CHECK (purpose IN ('fee', 'bill')),
    dossier_id       text,
    biller           text,
    customer_code    text,
    bill_id          text,
    description      text        NOT NULL,
    amount           bigint      NOT NULL CHECK (amount > 0),
    state            text        NOT NULL CHECK (state IN ('created', 'pending', 'paid', 'failed', 'expired', 'refunded')),
    provider         text        NOT NULL,
    station_id       uuid,
    kiosk_session_id text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL,
    paid_at          timestamptz,
    provider_txn_no  text,
    pay_url          text        NOT NULL DEFAULT '',
    vietqr_payload   text        NOT NULL DEFAULT '',
    CHECK ((purpose = 'fee' AND dossier_id IS NOT NULL) OR
           (purpose = 'bill' AND biller IS NOT NULL AND customer_code IS NOT NULL AND bill_id IS NOT NULL))
);
-- One live or paid order per bill and per dossier fee: nothing is paid twice.
CREATE UNIQUE INDEX payments_one_live_bill_idx ON payments (biller, customer_code, bill_id)
    WHERE purpose = 'bill' AND state IN ('created', 'pending', 'paid');
CREATE UNIQUE INDEX payments_one_live_fee_idx ON payments (dossier_id)
    WHERE purpose = 'fee' AND state IN ('created', 'pending', 'paid');
CREATE INDEX payments_pending_idx ON payments (created_at) WHERE state = 'pending';

-- Every state change, with where it came from.
CREATE TABLE payment_state_changes (
    id          bigserial   PRIMARY KEY,
    payment_id  text        NOT NULL REFERENCES payments (id),
    from_state  text,
    to_state    text        NOT NULL,
    source      text        NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    detail      jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX payment_state_changes_payment_idx ON payment_state_changes (payment_id, id);

-- Gateway notifications already applied, keyed so a repeat is recognised in
-- the same transaction as the state change it caused.
CREATE TABLE payment_provider_events (
    key         text        PRIMARY KEY,
    payment_id  text        NOT NULL REFERENCES payments (id),
    received_at timestamptz NOT NULL DEFAULT now(),
    params      jsonb       NOT NULL
);

-- Append-only ledger: one entry per paid order (refunds would be new entries).
CREATE TABLE payment_ledger (
    id              bigserial   PRIMARY KEY,
    payment_id      text        NOT NULL REFERENCES payments (id),
    kind            text        NOT NULL CHECK (kind IN ('payment', 'refund')),
    debit_account   text        NOT NULL,
    credit_account  text        NOT NULL,
    amount          bigint      NOT NULL CHECK (amount > 0),
    at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (payment_id, kind)
);

-- A receipt for every paid order; number is what the resident quotes.
CREATE SEQUENCE payment_receipt_seq;
CREATE TABLE payment_receipts (
    number      text        PRIMARY KEY,
    payment_id  text        NOT NULL UNIQUE REFERENCES payments (id),
    issued_at   timestamptz NOT NULL DEFAULT now(),
    amount      bigint      NOT NULL,
    description text        NOT NULL,
    provider_txn_no text    NOT NULL DEFAULT ''
);

-- Idempotency keys of POST /api/v1/payments, shared by every replica.
CREATE TABLE payment_idempotency_keys (
    key          text        PRIMARY KEY,
    request_hash bytea       NOT NULL,
    -- Deferred: the key is inserted first, so concurrent requests with one
    -- key queue on it, and the order it names follows in the same transaction.
    payment_id   text        NOT NULL REFERENCES payments (id) DEFERRABLE INITIALLY DEFERRED,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_idempotency_keys_created_idx ON payment_idempotency_keys (created_at);

-- +goose Down
DROP TABLE payment_idempotency_keys;
DROP TABLE payment_receipts;
DROP SEQUENCE payment_receipt_seq;
DROP TABLE payment_ledger;
DROP TABLE payment_provider_events;
DROP TABLE payment_state_changes;
DROP TABLE payments;
