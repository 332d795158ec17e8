-- The audit pages through every stored signal, all streams at once, by candle time, filtered by model
-- or class: these keep each page and each count on an index rather than a scan and a sort of the table.
CREATE INDEX signals_by_time ON signals (candle_start);
CREATE INDEX signals_by_model ON signals (model_version, candle_start);
CREATE INDEX signals_by_class ON signals (predicted, candle_start);
