/** What the status bar tells of the engine: the app (version, store) and the active model. */
import type { CallResponse } from '../../../../src-shared/contract/bridge';
import type { Bridge } from '../bridge';

export class EngineInfo {
  readonly #bridge: Bridge;
  readonly #fail: (err: unknown) => void;

  app: CallResponse<'app.info'> | undefined = $state();
  model: CallResponse<'model.info'> | undefined = $state();

  constructor(bridge: Bridge, fail: (err: unknown) => void) {
    this.#bridge = bridge;
    this.#fail = fail;
  }

  async load(): Promise<void> {
    this.app = await this.#bridge.invoke('app.info', {});
    this.refreshModel();
  }

  /** Asks for the active model again (at start, and after another one is chosen). */
  readonly refreshModel = (): void => {
    this.#bridge.invoke('model.info', {}).then((model) => {
      this.model = model;
      // The worker may still be loading the model at start; ask again until it has settled.
      if (model.status === 'starting') setTimeout(this.refreshModel, 1000);
    }, this.#fail);
  };
}
