-- Alert rules per symbol, and every time one fired (with the signal it fired on, for the audit).
CREATE TABLE alert_rules (
  id                INTEGER PRIMARY KEY,
  exchange          TEXT    NOT NULL,
  category          TEXT    NOT NULL,
  symbol            TEXT    NOT NULL,
  class             TEXT    NOT NULL CHECK (class IN ('buy', 'hold', 'sell')),
  min_probability   REAL    NOT NULL CHECK (min_probability BETWEEN 0 AND 1),
  min_concentration REAL    NOT NULL CHECK (min_concentration BETWEEN 0 AND 1),
  created_at        INTEGER NOT NULL
);

CREATE TABLE alerts_fired (
  id            INTEGER PRIMARY KEY,
  rule_id       INTEGER NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
  signal_id     INTEGER NOT NULL,
  interval      TEXT    NOT NULL,
  candle_start  INTEGER NOT NULL,
  probability   REAL    NOT NULL,
  concentration REAL    NOT NULL,
  fired_at      INTEGER NOT NULL,
  -- A PNG data URL of the chart and its heatmap, sent by the renderer that had the stream on screen.
  thumbnail     TEXT,
  UNIQUE (rule_id, signal_id)
);
CREATE INDEX alerts_fired_signal ON alerts_fired (signal_id);
