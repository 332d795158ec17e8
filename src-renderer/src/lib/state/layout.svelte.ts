/**
 * The multi-chart layout: 1, 2 or 4 charts, what each chart beside the main one shows, and whether their
 * crosshairs and time scales are synced. Saved in the store on every change (as `current`, restored at
 * start) and under names the user gives.
 */
import {
  CURRENT_LAYOUT,
  LayoutSchema,
  type Layout,
  type LayoutChartCount,
  type LayoutChartValue,
  type NamedLayout,
} from '../../../../src-shared/domain/drawings';
import type { Bridge } from '../bridge';
import type { StreamSession } from './stream-session.svelte';

export class LayoutState {
  value: Layout = $state(LayoutSchema.parse({ charts: 1 }));
  /** Layouts saved under a name (not the working one). */
  saved: NamedLayout[] = $state([]);

  constructor(
    private readonly bridge: Bridge,
    private readonly session: StreamSession,
    private readonly fail: (err: unknown) => void,
  ) {}

  async load(): Promise<void> {
    const all = await this.bridge.invoke('layouts.list', {});
    this.saved = all.filter((l) => l.name !== CURRENT_LAYOUT);
    const current = all.find((l) => l.name === CURRENT_LAYOUT);
    if (current !== undefined) this.value = current.layout;
  }

  /** What the chart at `index` (1 to 3: beside the main one) shows: its own choice, else the main chart's stream. */
  chartAt(index: number): LayoutChartValue | undefined {
    return this.value.others[index - 1] ?? this.session.current;
  }

  setCharts(charts: LayoutChartCount): void {
    // New charts show other stored streams first, so four charts are four different views.
    const others = [...this.value.others];
    const unused = this.session.streams.filter(
      (s) =>
        ![this.session.current, ...others].some((c) => c?.symbol === s.symbol && c.interval === s.interval && c.category === s.category),
    );
    while (others.length < charts - 1) {
      const next = unused.shift() ?? this.session.current;
      if (next === undefined) break;
      others.push({ category: next.category, symbol: next.symbol, interval: next.interval });
    }
    this.#change({ ...this.value, charts, others });
  }

  setChart(index: number, chart: LayoutChartValue): void {
    const others = [...this.value.others];
    for (let i = others.length; i < index - 1; i++) others.push(chart);
    others[index - 1] = chart;
    this.#change({ ...this.value, others });
  }

  toggleSyncCrosshair(): void {
    this.#change({ ...this.value, syncCrosshair: !this.value.syncCrosshair });
  }

  toggleSyncTime(): void {
    this.#change({ ...this.value, syncTime: !this.value.syncTime });
  }

  async saveAs(name: string): Promise<void> {
    const stored = await this.bridge.invoke('layouts.save', { name, layout: this.value });
    this.saved = [...this.saved.filter((l) => l.name !== stored.name), stored].sort((a, b) => a.name.localeCompare(b.name));
  }

  restore(name: string): void {
    const named = this.saved.find((l) => l.name === name);
    if (named !== undefined) this.#change(named.layout);
  }

  #change(next: Layout): void {
    this.value = next;
    this.bridge.invoke('layouts.save', { name: CURRENT_LAYOUT, layout: next }).catch(this.fail);
  }
}
