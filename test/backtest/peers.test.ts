/**
 * The peer strategies replayed beside the vaults (scripts/lib/backtest/peers.ts): their published rules as pure
 * functions, then one short replay on the real local market (rows model, a -20 % fall in three hours) in which each
 * peer acts only when its own rule says so, and the reports carry them with the managed vault's fields.
 */
import { expect } from "chai";
import hre from "hardhat";
import {
  DfsPeer, FliPeer, dfsRatioAt, leverageAtDfsRatio, peerParams, type PeerState,
} from "../../scripts/lib/backtest/peers";
import { backtestOptionsFrom, parseBacktestArgv } from "../../scripts/lib/backtest/cli";
import { resolveOptions } from "../../scripts/lib/backtest/options";

const HOUR = 3600;

describe("backtest: peer strategies, rules", () => {
  const params = peerParams(3, 2000, 250_000);

  it("FLI at 3x: the ETH2x-FLI ratios scaled by 3/2, 5 % recentering, 1-day interval, ripcord 2x the TWAP size", () => {
    expect(params.fli).to.include({
      targetLeverage: 3, minLeverage: 2.55, maxLeverage: 3.45, incentivizedLeverage: 4.05,
      recenteringSpeed: 0.05, rebalanceInterval: 86_400, twapCooldown: 30, incentivizedTwapCooldown: 1,
      slippage: 0.02, incentivizedSlippage: 0.05, etherReward: 1, unutilizedLeverage: 0.01,
    });
    expect(params.fli.twapMaxTradeSize).to.equal(125);
    expect(params.fli.incentivizedTwapMaxTradeSize).to.equal(250);
  });

  it("FLI's new leverage: 5 % of the way to the target, never outside the band", () => {
    const fli = new FliPeer({} as never, {} as never, {} as never, params.fli);
    expect(fli.newLeverage(3.2)).to.be.closeTo(3.19, 1e-12);
    expect(fli.newLeverage(3.6)).to.equal(3.45); // above the band: back to its top, not to the target
    expect(fli.newLeverage(2.0)).to.equal(2.55);
  });

  it("FLI's chunk: bounded by the TWAP size and by Aave's repay limit less the 1 % unutilised share", () => {
    const fli = new FliPeer({} as never, {} as never, {} as never, params.fli);
    // 300 WETH at $2,000 owing $490,000: 5.45x, HF 1.016; the repay limit is 300 x (1 - 490k / (600k x 0.83 x 0.99)).
    const s: PeerState = {
      collateralValue: 600_000, debtValue: 490_000, collateral: 300, oraclePrice: 2000, healthFactor: 1.016,
      leverage: 600_000 / 110_000, equity: 110_000, availableBorrows: 0,
    };
    const [chunk, total] = fli.chunk(s, 3.45, false, 250);
    expect(total).to.be.closeTo(((600 / 110 - 3.45) / (600 / 110)) * 300, 1e-9);
    expect(chunk).to.be.closeTo(300 * (1 - 490_000 / (600_000 * 0.83 * 0.99)), 1e-9);
  });

  it("DeFi Saver's ratio is Aave's (debt + available borrows) / debt; triggers stated as leverages", () => {
    expect(dfsRatioAt(3)).to.be.closeTo(1.2075, 1e-12);
    expect(leverageAtDfsRatio(dfsRatioAt(3))).to.be.closeTo(3, 1e-12);
    expect(params.dfs.repayAtLeverage).to.be.within(3.3, 3.4);
    expect(params.dfs.boostAtLeverage).to.be.within(2.55, 2.7);
    const s = { debtValue: 400_000, availableBorrows: 83_000 } as PeerState;
    expect(DfsPeer.ratio(s)).to.be.closeTo(1.2075, 1e-12);
  });

  it("peers are on by default (eth-long-3x on Aave); --no-peers turns them off; other presets run without them", () => {
    const peers = (...argv: string[]) => resolveOptions(backtestOptionsFrom(parseBacktestArgv(["x.csv", ...argv]).values).options).peers;
    expect(peers()).to.equal(true);
    expect(peers("--no-peers")).to.equal(false);
    expect(peers("--preset", "btc-long-2x")).to.equal(false);
    expect(peers("--venue", "morpho")).to.equal(false);
  });
});

describe("backtest: peer strategies in a replay (real Aave + Uniswap)", function () {
  let snapshot: string;
  before(async () => {
    snapshot = await hre.network.provider.send("evm_snapshot", []);
  });
  after(async () => {
    await hre.network.provider.send("evm_revert", [snapshot]);
  });

  it("a -20 % fall in three hours: each peer acts by its own rule, reported with the managed vault's fields", async () => {
    const { runBacktest } = await import("../../scripts/lib/backtest/replay");
    const { buildReport } = await import("../../scripts/lib/backtest/report");
    const { summaryMarkdown } = await import("../../scripts/lib/backtest/summary");
    const prices = [2000, 2000, 1900, 1750, 1600, 1650, 1700];
    const path = prices.map((price, i) => ({ timestamp: 1_700_000_000 + i * HOUR, price }));
    const run = await runBacktest(hre, path, { leverage: 3, depositWeth: 100, model: "rows" });
    const p = run.peers!;
    expect(p.names).to.deep.equal(["fli", "dfs"]);
    expect(run.rows.every((r) => r.peers?.fli && r.peers?.dfs)).to.equal(true);
    // Both start at the nominal leverage.
    expect(run.rows[0].peers!.fli!.leverage).to.be.closeTo(3, 0.01);
    expect(run.rows[0].peers!.dfs!.leverage).to.be.closeTo(3, 0.01);

    const fli = p.actions.filter((a) => a.peer === "fli");
    const dfs = p.actions.filter((a) => a.peer === "dfs");
    expect(fli.length).to.be.greaterThan(0);
    expect(dfs.length).to.be.greaterThan(0);
    // Less than a day: FLI rebalances only outside its band, ripcords only above the incentivised ratio.
    for (const a of fli) {
      if (a.action === "Ripcord") expect(a.leverageBefore!).to.be.at.least(p.params.fli.incentivizedLeverage);
      else expect(a.leverageBefore! > p.params.fli.maxLeverage || a.leverageBefore! < p.params.fli.minLeverage || a.action === "Iterate").to.equal(true);
      expect(a.gas).to.be.greaterThan(100_000);
    }
    // DeFi Saver repays only under its trigger, back to about the target, in one transaction.
    for (const a of dfs) {
      expect(a.action).to.equal("Repay");
      expect(a.leverageBefore!).to.be.greaterThan(p.params.dfs.repayAtLeverage);
      expect(a.leverageAfter!).to.be.closeTo(3, 0.1);
    }

    const report = buildReport(run, { file: "peers.csv", seconds: 0 });
    const { finalMode, ...managedFields } = report.managed;
    void finalMode;
    for (const name of ["fli", "dfs"] as const) {
      expect(Object.keys(report.peers![name]!)).to.have.members(Object.keys(managedFields));
    }
    expect(report.peerSettings!.dfs.targetRatio).to.equal(p.params.dfs.targetRatio);
    const md = summaryMarkdown({ paths: { short: report } }, "peers");
    expect(md).to.include("## Managed vault vs the peer strategies");
    expect(md).to.match(/\| short \| yes \| \d+ \/ \d+ \/ \d+ \|/);
    expect(md).to.include("| | | | fli |");
  });
});
