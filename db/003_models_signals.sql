-- Trained models the app knows, and every signal it gave (for audit and replay).
CREATE TABLE models (
  version       TEXT    PRIMARY KEY,
  path          TEXT    NOT NULL,
  created_at    INTEGER NOT NULL,
  registered_at INTEGER NOT NULL,
  -- model.json without its weights manifest: spec, features, normalization, data range, training, metrics
  metadata      TEXT    NOT NULL
);

CREATE TABLE signals (
  id            INTEGER PRIMARY KEY,
  exchange      TEXT    NOT NULL,
  category      TEXT    NOT NULL,
  symbol        TEXT    NOT NULL,
  interval      TEXT    NOT NULL,
  candle_start  INTEGER NOT NULL,
  confirmed     INTEGER NOT NULL CHECK (confirmed IN (0, 1)),
  model_version TEXT    NOT NULL,
  method        TEXT    NOT NULL,
  predicted     TEXT    NOT NULL,
  probabilities TEXT    NOT NULL,
  window_starts TEXT    NOT NULL,
  cam           TEXT    NOT NULL,
  features      TEXT    NOT NULL,
  input_hash    TEXT    NOT NULL,
  created_at    INTEGER NOT NULL,
  UNIQUE (exchange, category, symbol, interval, candle_start, confirmed, model_version, method)
);
CREATE INDEX signals_by_stream ON signals (exchange, category, symbol, interval, candle_start);
