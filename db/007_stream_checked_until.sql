-- How far each stream is known complete: the last candle of its run of confirmed candles, holes the
-- exchange itself has (no trades, outages) included. A restart resumes its gap scan there, rather than
-- scanning from the first stored candle and fetching again everything after a hole REST cannot fill.
ALTER TABLE candle_streams ADD COLUMN checked_until INTEGER;
