/** An engine whose feed follows a fake Bybit server on the server's virtual clock, as the feed tests start it. */
import { createEngine, type Engine, type EngineOptions, type MarketOptions } from '../src-main/engine/engine';

/** Where the feed connects; a FakeBybit, or endpoints nothing answers on (offline). */
export interface FakeEndpoints {
  wsUrl: string;
  restUrl: string;
  now: () => number;
}

/** `engine`: other engine options (e.g. the model to score with). */
export function engineOnFake(
  storePath: string,
  server: FakeEndpoints,
  market: MarketOptions,
  log?: (line: string) => void,
  engine: Pick<EngineOptions, 'modelPath'> = {},
): Engine {
  return createEngine({
    storePath,
    seedSample: false,
    log,
    ...engine,
    market: { wsBase: server.wsUrl, restBase: server.restUrl, source: 'fake', marketNow: () => server.now(), ...market },
  });
}
