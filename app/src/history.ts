/**
 * History charts (Chart.js): leverage, health factor, oracle price and share price read with position() at past
 * blocks (every event block plus evenly spaced ones), each keeper action (ActionExecuted) marked, with its gas from
 * the receipt. Reads are cached per block, so a refresh only reads the new blocks.
 */
import { Chart, Legend, LineController, LineElement, LinearScale, PointElement, ScatterController, Tooltip } from "chart.js";
import type { Chain } from "./chain";
import { vaultInterface } from "./chain";
import type { ILeveredVault } from "../../typechain-types/contracts/interfaces/ILeveredVault";
import { ACTIONS, num } from "./format";

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, Legend, Tooltip);

interface Sample {
  block: number;
  time: number;
  leverage?: number;
  hf?: number;
  price?: number;
  sharePrice?: number;
}
export interface KeeperActionRow {
  block: number;
  time: number;
  tx: string;
  action: number;
  caller: string;
  levBefore: bigint;
  levAfter: bigint;
  hfBefore: bigint;
  hfAfter: bigint;
  gas: number;
}
const MAX_SPACED = 24;
const hhmm = (t: number) => new Date(t * 1000).toISOString().slice(5, 16).replace("T", " ");

export class History {
  private samples = new Map<number, Sample>();
  private gas = new Map<string, number>();
  private times = new Map<number, number>();
  private risk: Chart;
  private price: Chart;
  private vault = "";
  constructor(riskCanvas: HTMLCanvasElement, priceCanvas: HTMLCanvasElement) {
    const common = {
      animation: false as const,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false as const,
      interaction: { mode: "nearest" as const, intersect: false },
      plugins: { legend: { labels: { boxWidth: 12 } } },
    };
    const x = { type: "linear" as const, ticks: { callback: (v: string | number) => hhmm(Number(v)), maxTicksLimit: 6 }, title: { display: true, text: "chain time (UTC)" } };
    this.risk = new Chart(riskCanvas, {
      type: "line",
      data: { datasets: [] },
      options: {
        ...common,
        scales: { x, y: { type: "linear", title: { display: true, text: "leverage (x)" } }, y2: { type: "linear", position: "right", title: { display: true, text: "health factor" }, grid: { drawOnChartArea: false } } },
      },
    });
    this.price = new Chart(priceCanvas, {
      type: "line",
      data: { datasets: [] },
      options: {
        ...common,
        scales: { x, y: { type: "linear", title: { display: true, text: "oracle price (debt asset per collateral)" } }, y2: { type: "linear", position: "right", title: { display: true, text: "share price (asset per share)" }, grid: { drawOnChartArea: false } } },
      },
    });
  }

  private async blockTime(chain: Chain, block: number): Promise<number> {
    let t = this.times.get(block);
    if (t === undefined) {
      t = (await chain.provider.getBlock(block))!.timestamp;
      this.times.set(block, t);
    }
    return t;
  }

  async update(chain: Chain, v: ILeveredVault, address: string, fromBlock: number, latest: number, assetDecimals: number, shareDecimals: number) {
    if (this.vault !== address) {
      this.samples.clear();
      this.vault = address;
    }
    const topics = ["ActionExecuted", "Deposit", "Withdraw"].map((e) => vaultInterface.getEvent(e)!.topicHash);
    const logs = await chain.provider.getLogs({ address, topics: [topics], fromBlock, toBlock: latest });
    // Each event's block and the one before it: the chart shows the state a keeper acted on and what it left.
    const blocks = new Set<number>(logs.flatMap((l) => [l.blockNumber - 1, l.blockNumber]));
    const span = Math.max(1, latest - fromBlock);
    for (let i = 0; i <= MAX_SPACED; i++) blocks.add(fromBlock + Math.round((span * i) / MAX_SPACED));
    blocks.add(latest);
    const todo = [...blocks].filter((b) => b >= fromBlock && b <= latest && !this.samples.has(b));
    const one = 10n ** BigInt(shareDecimals);
    await Promise.all(
      todo.map(async (block) => {
        const [time, p, sp] = await Promise.all([
          this.blockTime(chain, block),
          v.position({ blockTag: block }).catch(() => undefined),
          v.convertToAssets(one, { blockTag: block }).catch(() => undefined),
        ]);
        const supply = await v.totalSupply({ blockTag: block }).catch(() => 0n);
        this.samples.set(block, {
          block,
          time,
          leverage: p && p.debt > 0n ? num(p.leverage) : p && supply > 0n ? 1 : undefined,
          hf: p && p.debt > 0n ? num(p.healthFactor) : undefined,
          price: p ? num(p.price) : undefined,
          sharePrice: sp !== undefined && supply > 0n ? num(sp, assetDecimals) : undefined,
        });
      }),
    );
    const actions: KeeperActionRow[] = [];
    const flows: { time: number; kind: string }[] = [];
    for (const l of logs) {
      const ev = vaultInterface.parseLog(l);
      if (!ev) continue;
      const t = await this.blockTime(chain, l.blockNumber);
      if (ev.name !== "ActionExecuted") {
        flows.push({ time: t, kind: ev.name });
        continue;
      }
      let gas = this.gas.get(l.transactionHash);
      if (gas === undefined) {
        gas = Number((await chain.provider.getTransactionReceipt(l.transactionHash))?.gasUsed ?? 0n);
        this.gas.set(l.transactionHash, gas);
      }
      actions.push({
        block: l.blockNumber,
        time: t,
        tx: l.transactionHash,
        action: Number(ev.args.action),
        caller: ev.args.caller as string,
        levBefore: ev.args.leverageBefore as bigint,
        levAfter: ev.args.leverageAfter as bigint,
        hfBefore: ev.args.healthFactorBefore as bigint,
        hfAfter: ev.args.healthFactorAfter as bigint,
        gas,
      });
    }
    const s = [...this.samples.values()].sort((a, b) => a.block - b.block);
    const pts = (f: (x: Sample) => number | undefined) => s.filter((x) => f(x) !== undefined).map((x) => ({ x: x.time, y: f(x)! }));
    const at = (t: number, f: (x: Sample) => number | undefined) => {
      const before = s.filter((x) => x.time <= t && f(x) !== undefined);
      return before.length ? f(before[before.length - 1])! : undefined;
    };
    this.risk.data.datasets = [
      { label: "leverage", data: pts((x) => x.leverage), borderColor: "#1d5fd1", backgroundColor: "#1d5fd1", yAxisID: "y", pointRadius: 1.5, stepped: true },
      { label: "health factor", data: pts((x) => x.hf), borderColor: "#137333", backgroundColor: "#137333", yAxisID: "y2", pointRadius: 1.5, stepped: true },
      {
        type: "scatter",
        label: "keeper action",
        data: actions.map((a) => ({ x: a.time, y: num(a.levAfter) })),
        pointStyle: "triangle",
        pointRadius: 7,
        borderColor: "#a15c00",
        backgroundColor: "#f0a020",
        yAxisID: "y",
      },
    ] as never;
    (this.risk.options.plugins as { tooltip: unknown }).tooltip = {
      callbacks: {
        label: (ctx: { datasetIndex: number; dataIndex: number; formattedValue: string; dataset: { label?: string } }) =>
          ctx.datasetIndex === 2 ? `${ACTIONS[actions[ctx.dataIndex]?.action] ?? "action"} (gas ${actions[ctx.dataIndex]?.gas})` : `${ctx.dataset.label}: ${ctx.formattedValue}`,
      },
    };
    this.price.data.datasets = [
      { label: "oracle price", data: pts((x) => x.price), borderColor: "#5b6776", backgroundColor: "#5b6776", yAxisID: "y", pointRadius: 1.5, stepped: true },
      { label: "share price", data: pts((x) => x.sharePrice), borderColor: "#1d5fd1", backgroundColor: "#1d5fd1", yAxisID: "y2", pointRadius: 1.5 },
      {
        type: "scatter",
        label: "deposit / exit",
        data: flows.map((f) => ({ x: f.time, y: at(f.time, (x) => x.price) ?? 0 })),
        pointStyle: "circle",
        pointRadius: 5,
        borderColor: "#137333",
        backgroundColor: "#e6f4ea",
        yAxisID: "y",
      },
    ] as never;
    this.risk.update("none");
    this.price.update("none");
    return { samples: s.length, actions };
  }
}
