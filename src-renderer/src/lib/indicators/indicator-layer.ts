/**
 * The chart's indicators on a lightweight-charts chart: overlays on the price pane, a pane for each of
 * the others in the order set (the chart's own volume series moved into its place), a legend on each
 * pane with the value under the crosshair, and, while a signal is explained, the heat strip of the
 * attribution of the model channel a pane shows.
 */
import {
  HistogramSeries,
  LineSeries,
  LineStyle,
  type IChartApi,
  type ISeriesApi,
  type MouseEventParams,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import { OVERLAY_KINDS, type IndicatorConfig } from '../../../../src-shared/domain/indicator-config';
import type { Candle } from '../../../../src-shared/domain/market';
import { AttributionStrip } from '../attribution/attribution-strip';
import { channelCells, describeCell, type ChannelAttribution } from '../attribution/channel-attribution';
import { formatQuantity } from '../number-format';
import { featureLabel } from '../signals';
import { indicatorLabel, indicatorLines, paneChannel, type IndicatorLine } from './indicator-series';

/** The price pane's share against each indicator pane's (stretch factors): 3 to 1, so price keeps the most room. */
const PRICE_STRETCH = 3;
/** An indicator's value in a legend: two decimals from 100 up (prices, RSI), else four significant digits. */
const formatValue = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(2) : v === 0 ? '0' : v.toPrecision(4));
const isOverlay = (config: IndicatorConfig) => (OVERLAY_KINDS as readonly string[]).includes(config.kind);

interface Drawn {
  config: IndicatorConfig;
  /** One series per line of the indicator, as indicatorLines gives them. */
  series: ISeriesApi<'Line' | 'Histogram'>[];
  lines: IndicatorLine[];
  /** Pane index, for pane indicators. */
  pane?: number;
  strip?: AttributionStrip;
  legend: HTMLDivElement;
}

export class IndicatorLayer {
  readonly #chart: IChartApi;
  readonly #volume: ISeriesApi<'Histogram'>;
  readonly #legends: HTMLDivElement;
  readonly #resizes: ResizeObserver;
  readonly #shown: () => Candle[];
  #drawn: Drawn[] = [];
  #candles: Candle[] = [];
  #index = new Map<number, number>();
  #attribution: ChannelAttribution | undefined;
  #frame: number | undefined;
  #hovered: number | undefined;

  /** `shown` gives the candles the price series holds, read again after live updates. */
  constructor(chart: IChartApi, volume: ISeriesApi<'Histogram'>, container: HTMLElement, shown: () => Candle[]) {
    this.#chart = chart;
    this.#volume = volume;
    this.#shown = shown;
    this.#legends = document.createElement('div');
    Object.assign(this.#legends.style, { position: 'absolute', inset: '0', pointerEvents: 'none', zIndex: '3' });
    container.append(this.#legends);
    chart.subscribeCrosshairMove(this.#onCrosshair);
    this.#resizes = new ResizeObserver(() => requestAnimationFrame(() => this.#writeLegends()));
    this.#resizes.observe(container);
  }

  /** Draws these indicators in this order, replacing what was drawn. */
  configure(configs: readonly IndicatorConfig[]): void {
    for (const drawn of this.#drawn) for (const series of drawn.series) this.#chart.removeSeries(series);
    this.#legends.replaceChildren();
    // The volume series waits hidden on the price pane while the panes are laid out again.
    this.#volume.applyOptions({ visible: false });
    this.#volume.moveToPane(0);
    let pane = 0;
    this.#drawn = configs
      .filter((config) => config.visible)
      .map((config) => {
        const overlay = isOverlay(config);
        const at = overlay ? 0 : ++pane;
        const lines = indicatorLines(config, []);
        // MACD and the model's channels run far below a price tick (a return, MACD / close): their axis reads significant digits.
        const small = config.kind === 'macd' || config.kind === 'channel';
        const priceFormat = small ? { priceFormat: { type: 'custom' as const, formatter: (v: number) => formatValue(v) } } : {};
        const series =
          config.kind === 'volume'
            ? []
            : lines.map((line) =>
                line.style === 'histogram'
                  ? this.#chart.addSeries(
                      HistogramSeries,
                      { color: line.colour, lastValueVisible: false, priceLineVisible: false, ...priceFormat },
                      at,
                    )
                  : this.#chart.addSeries(
                      LineSeries,
                      {
                        color: line.colour,
                        lineWidth: 1,
                        lastValueVisible: !overlay,
                        priceLineVisible: false,
                        crosshairMarkerVisible: false,
                        ...priceFormat,
                      },
                      at,
                    ),
              );
        if (config.kind === 'volume') {
          this.#volume.moveToPane(at);
          this.#volume.applyOptions({ visible: true });
        }
        if (config.kind === 'rsi')
          for (const level of [70, 30])
            series[0]?.createPriceLine({
              price: level,
              color: '#787b86',
              lineStyle: LineStyle.Dashed,
              lineWidth: 1,
              axisLabelVisible: false,
            });
        const anchor = config.kind === 'volume' ? this.#volume : series[0];
        const strip = overlay || paneChannel(config) === undefined ? undefined : new AttributionStrip();
        if (strip !== undefined) anchor?.attachPrimitive(strip);
        const legend = document.createElement('div');
        legend.dataset['testid'] = `indicator-legend-${config.id}`;
        legend.dataset['kind'] = config.kind;
        Object.assign(legend.style, { position: 'absolute', left: '10px', fontSize: '12px', color: config.colour, whiteSpace: 'nowrap' });
        this.#legends.append(legend);
        return { config, series, lines, strip, legend, ...(overlay ? {} : { pane: at }) };
      });
    this.#chart.panes().forEach((p, i) => p.setStretchFactor(i === 0 ? PRICE_STRETCH : 1));
    this.#fill();
    this.#showAttribution();
    // The panes take their new heights when the chart next lays out: place the legends after it.
    requestAnimationFrame(() => this.#writeLegends());
  }

  /** The candles the price series now holds (another stream, or history scrolled in). */
  setCandles(candles: Candle[]): void {
    this.#candles = candles;
    this.#fill();
  }

  /**
   * A live tick changed the newest candle or added one: the indicators follow it once per frame, by
   * updating their last point (causal maths leaves the earlier ones as they were). A whole setData per
   * new bar would cost every series its full length and could move a view the user holds still.
   */
  changed(): void {
    this.#frame ??= requestAnimationFrame(() => {
      this.#frame = undefined;
      const previous = this.#candles;
      this.#candles = this.#shown();
      const grownBy = this.#candles.length - previous.length;
      if ((grownBy === 0 || grownBy === 1) && this.#candles[0]?.time === previous[0]?.time) this.#fillLast();
      else this.#fill();
    });
  }

  /** The explained signal's attribution by channel and candle, or none. */
  showAttribution(attribution: ChannelAttribution | undefined): void {
    this.#attribution = attribution;
    this.#showAttribution();
  }

  dispose(): void {
    if (this.#frame !== undefined) cancelAnimationFrame(this.#frame);
    this.#chart.unsubscribeCrosshairMove(this.#onCrosshair);
    this.#resizes.disconnect();
    this.#legends.remove();
  }

  #fill(): void {
    this.#index = new Map(this.#candles.map((c, i) => [c.time, i]));
    for (const drawn of this.#drawn) {
      drawn.lines = indicatorLines(drawn.config, this.#candles);
      drawn.lines.forEach((line, k) =>
        drawn.series[k]?.setData(
          this.#candles.map((c, i) => {
            const time = (c.time / 1000) as UTCTimestamp;
            const value = line.values[i] ?? NaN;
            return i < line.from || !Number.isFinite(value) ? { time } : { time, value };
          }),
        ),
      );
    }
    this.#writeLegends();
  }

  #fillLast(): void {
    const last = this.#candles.length - 1;
    const candle = this.#candles[last];
    if (candle === undefined) return;
    this.#index.set(candle.time, last);
    for (const drawn of this.#drawn) {
      drawn.lines = indicatorLines(drawn.config, this.#candles);
      drawn.lines.forEach((line, k) => {
        const value = line.values[last] ?? NaN;
        if (last >= line.from && Number.isFinite(value)) drawn.series[k]?.update({ time: (candle.time / 1000) as UTCTimestamp, value });
      });
    }
    this.#writeLegends();
  }

  #showAttribution(): void {
    const attribution = this.#attribution;
    for (const drawn of this.#drawn) {
      const channel = paneChannel(drawn.config);
      const cells = attribution === undefined || channel === undefined ? [] : channelCells(attribution, channel);
      drawn.strip?.show(cells.map((c) => ({ time: (c.time / 1000) as UTCTimestamp, weight: c.weight })));
    }
    this.#writeLegends();
  }

  readonly #onCrosshair = (param: MouseEventParams<Time>): void => {
    this.#hovered = param.point === undefined ? undefined : (param.time as number | undefined);
    this.#writeLegends();
  };

  /** Each legend: the indicator, its values at the hovered candle (else the newest), and its attribution there. */
  #writeLegends(): void {
    const time = this.#hovered === undefined ? this.#candles.at(-1)?.time : this.#hovered * 1000;
    const index = time === undefined ? undefined : this.#index.get(time);
    const tops = this.#paneTops();
    let overlayRow = 0;
    for (const drawn of this.#drawn) {
      const values =
        index === undefined
          ? ''
          : drawn.config.kind === 'volume'
            ? formatQuantity(this.#candles[index]?.volume ?? NaN)
            : drawn.lines
                .filter((line) => index >= line.from)
                .map((line) => formatValue(line.values[index] ?? NaN))
                .join(' ');
      const channel = paneChannel(drawn.config);
      const cell =
        this.#attribution === undefined || channel === undefined || time === undefined || drawn.strip === undefined
          ? undefined
          : channelCells(this.#attribution, channel).find((c) => c.time === time);
      drawn.legend.textContent = [indicatorLabel(drawn.config), values, cell && describeCell(featureLabel(channel ?? ''), cell.value)]
        .filter(Boolean)
        .join(' · ');
      drawn.legend.dataset['attribution'] = cell === undefined ? '' : String(cell.value);
      drawn.legend.style.top = `${drawn.pane === undefined ? 26 + 16 * overlayRow++ : (tops[drawn.pane] ?? 0) + 4}px`;
    }
  }

  /** Top of each pane in the chart's box (CSS px; panes are separated by a 1 px line). */
  #paneTops(): number[] {
    const tops: number[] = [];
    let top = 0;
    this.#chart.panes().forEach((pane, i) => {
      tops[i] = top;
      top += pane.getHeight() + 1;
    });
    return tops;
  }
}
