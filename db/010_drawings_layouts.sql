-- Drawings per stream (the shape as the contract's JSON, checked by the engine before it is stored) and
-- the multi-chart layouts by name.
CREATE TABLE drawings (
  id         INTEGER PRIMARY KEY,
  exchange   TEXT    NOT NULL,
  category   TEXT    NOT NULL,
  symbol     TEXT    NOT NULL,
  interval   TEXT    NOT NULL,
  kind       TEXT    NOT NULL CHECK (kind IN ('hline', 'hray', 'trend', 'rect', 'text')),
  shape      TEXT    NOT NULL CHECK (json_valid(shape)),
  locked     INTEGER NOT NULL CHECK (locked IN (0, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX drawings_stream ON drawings (exchange, category, symbol, interval);

CREATE TABLE layouts (
  name       TEXT    PRIMARY KEY,
  layout     TEXT    NOT NULL CHECK (json_valid(layout)),
  updated_at INTEGER NOT NULL
);
