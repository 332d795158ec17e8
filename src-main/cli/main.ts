/**
 * `candle-lens` command line: `npm run cli -- <command>` or the package bin. Each command lives in
 * its own module and is a thin wrapper over the engine modules the app uses.
 */
import { CAM_METHODS } from '../../src-shared/domain/signal';
import { defaultStorePath } from '../paths';
import { UsageError } from './args';
import { commandAudit } from './audit';
import { commandBacktest } from './backtest';
import { commandCompare } from './compare';
import { commandExport, commandImport } from './candles';
import { commandEvaluate } from './evaluate';
import { commandExplain } from './explain';
import { commandImportModel } from './import-model';
import { commandExportWindows } from './export-windows';
import { commandParity } from './parity';
import { commandRiskBaselines } from './risk-baselines';
import { commandServe } from './serve';
import { commandTrain } from './train';
import { commandTrainKinds } from './train-kinds';
import { commandTrust } from './trust';

const USAGE = `usage: candle-lens <command> [options]

commands:
  serve  [--db PATH] [--host H] [--port N]        run the engine headless and serve the UI
         [--symbols S,S --intervals I,I --category linear|spot]   watch these streams (replaces the stored watchlist)
         [--feed bybit|replay|off] [--testnet] [--bybit-ws URL] [--bybit-rest URL] [--backfill-days N]
         [--csv FILE --replay-step-ms MS --replay-history N]      with --feed replay: a fake Bybit replays FILE offline
  import --db PATH --symbol S --interval I [--category C] FILE.csv
                                                  import candles (all or nothing)
  export --db PATH --symbol S --interval I [--category C] [--from MS] [--to MS]
                                                  write closed candles as CSV to stdout
  train  (--csv FILE [--interval I] | --db PATH --symbol S --interval I) [--out DIR] [--name N]
         [--epochs N] [--stride N] [--window T] [--horizon H] [--convs 32:5,64:5,128:3] [--seed N]
         [--kind financial-cnn|gaf-cnn|image-cnn|cnn-lstm] [--series close,volume]
         [--backend tensorflow|wasm|cpu]
                                                  train, evaluate and save a model (registered in --db)
  evaluate --model M --csv FILE [--interval I] [--stride N] [--trust-windows N] [--backend B]
                                                  JSON report: model vs baselines with 95% CIs, faithfulness, trust
  explain --model M --csv FILE --at START_MS [--method ${CAM_METHODS.join('|')}]
          [--layer N] [--target buy|hold|sell] [--backend B]
                                                  the explained signal of the window ending at that candle
  parity GOLDEN_DIR [--backend B]                 compare with PyTorch reference outputs; non-zero past tolerances
  backtest --model M --csv FILE [--threshold P] [--min-concentration C] [--hold H] [--long-only]
           [--no-opposite-exit] [--fee-bps B] [--slippage-bps B] [--vol-target V] [--max-position X]
           [--trades-csv F] [--signals-csv F] [--threads N]
                                                  trade the model's explained signals (--vol-target: size each position
                                                  to V annualised volatility by the volatility head, at most X); JSON
  risk-baselines --csv FILE [--interval I] [--horizon H] [--sharp-k K]
                                                  JSON report of the risk baselines (EWMA, HAR-RV, GARCH; VaR; sharp move)
                                                  fitted on the training period, judged on the test period
  audit --db PATH [--verify]                      every stored signal as CSV; --verify re-runs each one
  trust --csv FILE [--model M | --kind K --convs 32:5,64:5,128:3 --window T] [--windows N] [--epochs N] [--seed N]
        [--methods gradcam,…,gradxinput] [--backend B]
                                                  planted-pattern benchmark of the explanations: JSON table per method
  export-windows --csv FILE --out DIR [--kind K] [--series S,…] [--window T] [--horizon H] [--stride N]
                                                  every labelled window encoded as the kind reads it, for training
                                                  elsewhere: NumPy inputs, labels, times, split + encoding spec
  import-model --pytorch MODEL.json --spec ENCODING.json [--db PATH] [--out DIR] [--name N] [--backend B]
                                                  check a PyTorch-trained model against its encoding spec,
                                                  save it and register it for live, replay and backtest
  compare --models DIR,DIR,… --csv FILE [--from MS --to MS] [--stride N] [--trust-windows N] [--reference VERSION]
          [--out FILE.json] [--backend B]
                                                  models of several kinds side by side on the same test windows and
                                                  baselines (default: the overlap of their test periods): one table
  train-kinds --csv FILE --out DIR [train's options] [--with DIR,…]
                                                  train one model of every kind, then compare them (and --with's models)

--db defaults to ${defaultStorePath()}`;

const commands: Record<string, (args: string[]) => void | Promise<void>> = {
  serve: commandServe,
  import: commandImport,
  export: commandExport,
  train: commandTrain,
  evaluate: commandEvaluate,
  explain: commandExplain,
  parity: commandParity,
  backtest: commandBacktest,
  'risk-baselines': commandRiskBaselines,
  audit: commandAudit,
  trust: commandTrust,
  'import-model': commandImportModel,
  'export-windows': commandExportWindows,
  compare: commandCompare,
  'train-kinds': commandTrainKinds,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : commands[name];
  if (command === undefined) {
    const asked = name === 'help' || name === '--help';
    console.error(name === undefined || asked ? USAGE : `unknown command "${name}"\n\n${USAGE}`);
    return asked ? 0 : 2;
  }
  try {
    await command(args);
    return 0;
  } catch (err) {
    console.error(`candle-lens ${name}: ${(err as Error).message}`);
    if (err instanceof UsageError) console.error(`\n${USAGE}`);
    return err instanceof UsageError ? 2 : 1;
  }
}

const code = await main(process.argv.slice(2));
if (code !== 0) process.exit(code);
