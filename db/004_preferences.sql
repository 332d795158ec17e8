-- The user's layout and preferences, one JSON document per key, so they survive restarts in Electron
-- and in a browser alike (a browser's localStorage is per origin, and serve's port changes per run).
CREATE TABLE preferences (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
