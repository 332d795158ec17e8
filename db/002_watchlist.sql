-- The streams the live feed follows, and the exchange's instrument list cached for offline symbol search.
CREATE TABLE watchlist (
  exchange  TEXT    NOT NULL,
  category  TEXT    NOT NULL,
  symbol    TEXT    NOT NULL,
  interval  TEXT    NOT NULL,
  added_at  INTEGER NOT NULL,
  PRIMARY KEY (exchange, category, symbol, interval)
) WITHOUT ROWID;

CREATE TABLE instruments (
  exchange   TEXT    NOT NULL,
  category   TEXT    NOT NULL,
  symbol     TEXT    NOT NULL,
  status     TEXT    NOT NULL,
  base_coin  TEXT    NOT NULL,
  quote_coin TEXT    NOT NULL,
  fetched_at INTEGER NOT NULL,
  PRIMARY KEY (exchange, category, symbol)
) WITHOUT ROWID;
