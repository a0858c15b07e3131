/**
 * The backtest chart: four stacked panels sharing the time axis (price with keeper actions and liquidations;
 * leverage; health factor; equity), written as a Vega-Lite spec and rendered to SVG headless by Vega (no
 * browser, no canvas: text widths are estimated).
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { BacktestRun } from "./replay";

/** Health factors are drawn up to this value (the no-debt cap of 1e9 would flatten the panel). */
export const HF_CHART_MAX = 3;

const SERIES = ["managed", "unmanaged", "spot", "fli", "dfs"] as const;
const COLORS = ["#1f77b4", "#ff7f0e", "#7f7f7f", "#2ca02c", "#9467bd"];
const EVENT_STYLES: Record<string, { color: string; shape: string }> = {
  "keeper: ReleverBand": { color: "#2ca02c", shape: "triangle-up" },
  "keeper: DeleverBand": { color: "#17becf", shape: "triangle-down" },
  "keeper: DeleverHealth": { color: "#9467bd", shape: "triangle-down" },
  "keeper: StopLoss": { color: "#8c564b", shape: "square" },
  "keeper: TrailingStop": { color: "#8c564b", shape: "square" },
  "keeper: TakeProfit": { color: "#bcbd22", shape: "square" },
  "keeper: Ripcord": { color: "#e377c2", shape: "diamond" },
  "liquidation: managed": { color: "#d62728", shape: "cross" },
  "liquidation: unmanaged": { color: "#d62728", shape: "diamond" },
};

type Series = (typeof SERIES)[number];
type ChartEvent = { time: string; price: number; event: string };
type Settings = BacktestRun["settings"];

const WIDTH = 900;
const X = {
  field: "time",
  type: "temporal" as const,
  scale: { type: "utc" as const },
  axis: { format: "%b %d", title: null, labelAngle: 0 },
};
const iso = (t: number) => new Date(t * 1000).toISOString();
const panelFilter = (name: string) => ({ filter: `datum.panel === '${name}'` });
const panelTitle = (text: string) => ({ text, anchor: "start", fontSize: 12 });

/** Colour encoding by series; each panel's legend lists only the series it draws (the HF panel has no spot line). */
function colorFor(series: readonly Series[]) {
  return {
    field: "series",
    type: "nominal" as const,
    scale: { domain: [...series], range: series.map((s) => COLORS[SERIES.indexOf(s)]) },
    legend: { title: null, orient: "top" as const },
  };
}

/** The chart's spec: four panels over one data set of (time, panel, series, value) rows, plus the event markers. */
export function chartSpec(run: BacktestRun, title: string): TopLevelSpec {
  const events = chartEvents(run);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: title, anchor: "start" },
    data: { values: chartRows(run) },
    config: { view: { stroke: "#ddd" }, font: "sans-serif" },
    resolve: { scale: { color: "independent", shape: "independent" }, legend: { color: "independent", shape: "independent" } },
    vconcat: [pricePanel(events), leveragePanel(run.settings, seriesOf(run)), healthFactorPanel(run.settings, seriesOf(run)), equityPanel(seriesOf(run))],
  } as TopLevelSpec;
}

/** The series drawn: the vaults, spot, and the peers when they were replayed. */
function seriesOf(run: BacktestRun): Series[] {
  return ["managed", "unmanaged", "spot", ...((run.peers?.names ?? []) as Series[])];
}

/** One row per panel and series for every backtest row ("long" format, filtered per panel). */
function chartRows(run: BacktestRun) {
  const long: { time: string; panel: string; series: string; value: number | null }[] = [];
  for (const r of run.rows) {
    const time = iso(r.timestamp);
    long.push({ time, panel: "price", series: "ETH/USD", value: r.price });
    for (const s of ["managed", "unmanaged"] as const) {
      long.push({ time, panel: "leverage", series: s, value: r[s].leverage });
      // The row's lowest: on arrival of the price (before anyone acted) or after the keeper / liquidators.
      const hf = Math.min(r[s].healthFactor, r[s].healthFactorOnArrival, HF_CHART_MAX);
      long.push({ time, panel: "hf", series: s, value: hf });
      long.push({ time, panel: "equity", series: s, value: r[s].equity });
    }
    for (const [s, sample] of Object.entries(r.peers ?? {})) {
      if (!sample) continue;
      long.push({ time, panel: "leverage", series: s, value: sample.leverage });
      long.push({ time, panel: "hf", series: s, value: Math.min(sample.healthFactor, sample.healthFactorOnArrival, HF_CHART_MAX) });
      long.push({ time, panel: "equity", series: s, value: sample.equity });
    }
    long.push({ time, panel: "leverage", series: "spot", value: 1 });
    long.push({ time, panel: "equity", series: "spot", value: r.spotEquity });
  }
  return long;
}

/** Keeper actions, then liquidations, as markers on the price panel. */
function chartEvents(run: BacktestRun): ChartEvent[] {
  return [
    ...run.keeperActions.map((a) => ({ time: iso(a.timestamp), price: a.price, event: `keeper: ${a.action}` })),
    ...run.liquidations.map((l) => ({ time: iso(l.timestamp), price: l.price, event: `liquidation: ${l.position}` })),
    ...(run.peers?.actions ?? []).filter((a) => a.action === "Ripcord").map((a) => ({ time: iso(a.timestamp), price: a.price, event: `${a.peer}: Ripcord` })),
  ];
}

function pricePanel(events: ChartEvent[]) {
  return {
    width: WIDTH,
    height: 180,
    title: panelTitle("Price (USD per ETH), keeper actions and liquidations"),
    layer: [
      {
        transform: [panelFilter("price")],
        mark: { type: "line", color: "#333", strokeWidth: 1.2 },
        encoding: { x: X, y: { field: "value", type: "quantitative", title: "USD", scale: { zero: false } } },
      },
      ...(events.length ? [eventLayer(events)] : []),
    ],
  };
}

/**
 * One legend for the event markers: same domain for shape and colour; liquidations red, keeper actions not in the
 * series colours.
 */
function eventLayer(events: ChartEvent[]) {
  const eventDomain = [...new Set(events.map((e) => e.event))].sort();
  const eventStyle = (event: string) => EVENT_STYLES[event] ?? { color: "#8c564b", shape: "circle" };
  const eventScale = (channel: "color" | "shape") => ({ domain: eventDomain, range: eventDomain.map((e) => eventStyle(e)[channel]) });
  const eventLegend = { title: null, orient: "top" as const, labelLimit: 400, columns: 4 };
  return {
    data: { values: events },
    mark: { type: "point" as const, filled: true, size: 60, opacity: 0.9 },
    encoding: {
      x: X,
      y: { field: "price", type: "quantitative" as const },
      shape: { field: "event", type: "nominal" as const, scale: eventScale("shape"), legend: eventLegend },
      color: { field: "event", type: "nominal" as const, scale: eventScale("color"), legend: eventLegend },
    },
  };
}

function leveragePanel({ minLeverage, maxLeverage, targetLeverage }: Settings, series: Series[]) {
  return {
    width: WIDTH,
    height: 140,
    title: panelTitle(`Leverage (band ${minLeverage}-${maxLeverage}, target ${targetLeverage}; dashed)`),
    layer: [
      {
        transform: [panelFilter("leverage"), { filter: "datum.value !== null" }],
        mark: { type: "line", strokeWidth: 1.2 },
        encoding: { x: X, y: { field: "value", type: "quantitative", title: "x" }, color: colorFor(series) },
      },
      {
        data: { values: [minLeverage, targetLeverage, maxLeverage].map((v) => ({ v })) },
        mark: { type: "rule", strokeDash: [4, 4], color: "#1f77b4", opacity: 0.5 },
        encoding: { y: { field: "v", type: "quantitative" } },
      },
    ],
  };
}

function healthFactorPanel({ minHealthFactor }: Settings, series: Series[]) {
  return {
    width: WIDTH,
    height: 140,
    title: panelTitle(
      `Health factor, lowest in each row (drawn up to ${HF_CHART_MAX}; liquidation at 1, keeper floor ${minHealthFactor}; dashed)`,
    ),
    layer: [
      {
        transform: [panelFilter("hf")],
        mark: { type: "line", strokeWidth: 1.2, clip: true },
        encoding: {
          x: X,
          y: { field: "value", type: "quantitative", title: "HF", scale: { domain: [0, HF_CHART_MAX], clamp: true } },
          color: colorFor(series.filter((s) => s !== "spot")),
        },
      },
      {
        data: { values: [{ v: 1, c: "#d62728" }, { v: minHealthFactor, c: "#1f77b4" }] },
        mark: { type: "rule", strokeDash: [4, 4] },
        encoding: { y: { field: "v", type: "quantitative" }, color: { field: "c", type: "nominal", scale: null } },
      },
    ],
  };
}

function equityPanel(series: Series[]) {
  return {
    width: WIDTH,
    height: 180,
    title: panelTitle("Equity (USD)"),
    transform: [panelFilter("equity")],
    mark: { type: "line", strokeWidth: 1.2 },
    encoding: { x: X, y: { field: "value", type: "quantitative", title: "USD" }, color: colorFor(series) },
  };
}

/** Renders the chart to an SVG string. */
export async function renderChartSvg(run: BacktestRun, title: string): Promise<string> {
  const spec = compile(chartSpec(run, title)).spec;
  const view = new vega.View(vega.parse(spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
