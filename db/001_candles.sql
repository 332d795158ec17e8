-- Candles, one row per (exchange, category, symbol, interval, start). A confirmed candle is final.
CREATE TABLE candles (
  exchange  TEXT    NOT NULL,
  category  TEXT    NOT NULL,
  symbol    TEXT    NOT NULL,
  interval  TEXT    NOT NULL,
  start     INTEGER NOT NULL,
  open      REAL    NOT NULL,
  high      REAL    NOT NULL,
  low       REAL    NOT NULL,
  close     REAL    NOT NULL,
  volume    REAL    NOT NULL,
  confirmed INTEGER NOT NULL CHECK (confirmed IN (0, 1)),
  PRIMARY KEY (exchange, category, symbol, interval, start)
) WITHOUT ROWID;
