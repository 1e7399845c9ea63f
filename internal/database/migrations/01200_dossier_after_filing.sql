-- +goose Up
-- What happens after filing, in the words of the procedure's catalogue
-- entry when the dossier was made (procedures.Entry.AfterFiling): the done
-- message, the receipt and the tracking screen read this one text.
ALTER TABLE dossiers ADD COLUMN after_filing text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE dossiers DROP COLUMN after_filing;
