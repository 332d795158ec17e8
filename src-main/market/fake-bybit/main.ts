/**
 * The fake Bybit server as a standalone process, for demos and manual runs:
 *   tsx src-main/market/fake-bybit/main.ts --csv ../shared/data/bybit_ETHUSDT_1m.csv [--port N] [--symbols ETHUSDT,BTCUSDT]
 *     [--category linear|spot] [--history N] [--step-ms MS (0 = no live pushes)] [--updates-per-candle N]
 * then `npm run cli -- serve --bybit-ws <ws> --bybit-rest <rest> --symbols ETHUSDT`.
 */
import { parseArgs } from 'node:util';
import { FakeBybit, readSourceCsv } from './server';

const { values } = parseArgs({
  options: {
    csv: { type: 'string' },
    port: { type: 'string', default: '0' },
    symbols: { type: 'string', default: 'ETHUSDT' },
    category: { type: 'string', default: 'linear' },
    history: { type: 'string', default: '10080' },
    'step-ms': { type: 'string', default: '250' },
    'updates-per-candle': { type: 'string', default: '3' },
    'stamp-sends': { type: 'boolean', default: false },
  },
});
if (values.csv === undefined) throw new Error('--csv FILE is required');
const rows = readSourceCsv(values.csv);
const fake = await new FakeBybit({
  rows,
  symbols: values.symbols.split(','),
  category: values.category === 'spot' ? 'spot' : 'linear',
  startIndex: Math.min(rows.length - 1, Number(values.history)),
  updatesPerCandle: Number(values['updates-per-candle']),
  stampSends: values['stamp-sends'],
}).listen(Number(values.port));
const stepMs = Number(values['step-ms']);
if (stepMs > 0) fake.play(stepMs); // 0: a still market, REST history only
console.log(`fake Bybit: --bybit-ws ${fake.wsUrl} --bybit-rest ${fake.restUrl} (replaying ${rows.length} candles of ${values.csv})`);
process.once('SIGINT', () => void fake.close().then(() => process.exit(0)));
process.once('SIGTERM', () => void fake.close().then(() => process.exit(0)));
