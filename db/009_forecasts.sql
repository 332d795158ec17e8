-- Forecasts of the model's risk heads, stored with the signal of the same window (same model, method
-- and input hash, so `audit --verify` re-runs them too): the values beside the signal, and each
-- head's explanation in a table of its own (read when a forecast is explained or audited, not with every list).
ALTER TABLE signals ADD COLUMN forecasts TEXT;

CREATE TABLE forecast_explanations (
  signal_id INTEGER NOT NULL REFERENCES signals (id) ON DELETE CASCADE,
  head      TEXT    NOT NULL CHECK (head IN ('volatility', 'var', 'sharp')),
  -- The output of the head explained (a VaR quantile's index; 0 for the one-output heads).
  target    INTEGER NOT NULL,
  cam       TEXT    NOT NULL,
  features  TEXT    NOT NULL,
  PRIMARY KEY (signal_id, head)
) WITHOUT ROWID;

-- An alert rule may watch the sharp-move forecast ('sharp': fires when its probability reaches
-- min_probability). SQLite cannot change a CHECK in place, and the migration runs in a transaction
-- where foreign keys cannot be switched off: both alert tables are rebuilt, firings kept, and the
-- new ones renamed (the firings' reference follows the rename).
CREATE TABLE alert_rules_new (
  id                INTEGER PRIMARY KEY,
  exchange          TEXT    NOT NULL,
  category          TEXT    NOT NULL,
  symbol            TEXT    NOT NULL,
  class             TEXT    NOT NULL CHECK (class IN ('buy', 'hold', 'sell', 'sharp')),
  min_probability   REAL    NOT NULL CHECK (min_probability BETWEEN 0 AND 1),
  min_concentration REAL    NOT NULL CHECK (min_concentration BETWEEN 0 AND 1),
  created_at        INTEGER NOT NULL
);
INSERT INTO alert_rules_new SELECT id, exchange, category, symbol, class, min_probability, min_concentration, created_at FROM alert_rules;

CREATE TABLE alerts_fired_new (
  id            INTEGER PRIMARY KEY,
  rule_id       INTEGER NOT NULL REFERENCES alert_rules_new (id) ON DELETE CASCADE,
  signal_id     INTEGER NOT NULL,
  interval      TEXT    NOT NULL,
  candle_start  INTEGER NOT NULL,
  probability   REAL    NOT NULL,
  concentration REAL    NOT NULL,
  fired_at      INTEGER NOT NULL,
  thumbnail     TEXT,
  UNIQUE (rule_id, signal_id)
);
INSERT INTO alerts_fired_new
  SELECT id, rule_id, signal_id, interval, candle_start, probability, concentration, fired_at, thumbnail FROM alerts_fired;

DROP TABLE alerts_fired;
DROP TABLE alert_rules;
ALTER TABLE alert_rules_new RENAME TO alert_rules;
ALTER TABLE alerts_fired_new RENAME TO alerts_fired;
CREATE INDEX alerts_fired_signal ON alerts_fired (signal_id);
