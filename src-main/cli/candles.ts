/** `import` and `export`: candle CSV in and out of the store. */
import { CSV_HEADER, CsvError, formatCandleCsvRow } from '../market/candle-csv';
import { importCandleCsv } from '../market/import-csv';
import { epochOption, openStore, parse, parseWithOperands, streamKey, streamOptions, UsageError } from './args';

export function commandImport(args: string[]): void {
  const { values, positionals } = parseWithOperands(args, streamOptions);
  if (positionals.length !== 1) throw new UsageError('import takes exactly one FILE.csv');
  const file = positionals[0] ?? '';
  const key = streamKey(values);
  const store = openStore(values.db);
  try {
    const { rows, written, conflicts } = importCandleCsv(store, key, file);
    const kept = conflicts > 0 ? `; ${conflicts} differ from candles stored as confirmed before, which were kept` : '';
    console.log(`imported ${rows} rows from ${file} into ${key.category} ${key.symbol} ${key.interval} (${written} new or changed${kept})`);
  } catch (err) {
    if (err instanceof CsvError) throw new Error(`${file}: ${err.message}; nothing was imported`);
    throw err;
  } finally {
    store.db.close();
  }
}

export function commandExport(args: string[]): void {
  const { values } = parse(args, { ...streamOptions, from: { type: 'string' }, to: { type: 'string' } });
  const key = streamKey(values);
  const store = openStore(values.db);
  const lines = [CSV_HEADER];
  try {
    for (const candle of store.closed(key, epochOption('from', values.from), epochOption('to', values.to))) {
      lines.push(formatCandleCsvRow(candle));
    }
  } finally {
    store.db.close();
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
