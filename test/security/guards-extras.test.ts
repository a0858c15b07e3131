/**
 * Issue 8, "also check and fix where real" (module side): the ripcord aims at the health-restoring leverage,
 * setLeverageConfig keeps the automation and exit configs consistent, and a pool moved earlier in the same block
 * stops rebalance() and ripcord() (the sequencer feed's startedAt == 0 case is in test/keeper/guards.test.ts).
 */
import { expect } from "chai";
import hre from "hardhat";
import { MaxUint256 } from "ethers";
import { loadFixture, takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { keeperWorld, keeper3x, Action } from "../shared/keeper";
import { priceE8ToSqrtX96 } from "../shared/market";
import { vaultWorld, PRESET_3X_FIXED, wad, type VaultWorld } from "../shared/vault";
import { connectAs, poolPriceE8, setMarketPrice } from "../shared/market-helpers";
import { plain } from "../shared/structs";
import { describeRevert } from "./helpers";

const WAD = 10n ** 18n;
const MAX_LTV_BPS = 8050n - 500n; // market max LTV minus the safety buffer, the error's second argument

/** 3x with a wide band and a floor close to the HF at target: the health-restoring leverage is below target. */
const tightFloor3x = () =>
  keeperWorld({ targetLeverage: 3, minLeverage: 2.7, maxLeverage: 4, minHealthFactor: 1.22, criticalHealthFactor: 1.08 });

/** The tight-floor vault after a fall that takes the health factor below critical: the ripcord is armed. */
const ripcordArmed = async () => {
  const w = await tightFloor3x();
  const { criticalHealthFactor } = await w.vault.automationConfig();
  let price = 1800;
  await setMarketPrice(w.market, price);
  while ((await w.vault.position()).healthFactor >= criticalHealthFactor) {
    price -= 5;
    await setMarketPrice(w.market, price);
  }
  return w;
};

/** Sends (without waiting: automine is off) a swap moving the 0.05% pool by `bps` from the arbitrageur. */
async function sendPoolMove(w: VaultWorld, bps: bigint) {
  const { market } = w;
  const target = priceE8ToSqrtX96(((await poolPriceE8(market)) * (10_000n + bps)) / 10_000n, market.wethIsToken0);
  const { sqrtPriceX96: current } = await market.uniPool500.slot0();
  const wethIn = target < current === market.wethIsToken0;
  const [tokenIn, tokenOut] = wethIn ? [market.weth, market.usdc] : [market.usdc, market.weth];
  return connectAs(market.swapRouter, market.arbitrageur).exactInputSingle(
    {
      tokenIn: tokenIn.target, tokenOut: tokenOut.target, fee: 500, recipient: market.arbitrageur.address,
      deadline: MaxUint256, amountIn: await tokenIn.balanceOf(market.arbitrageur.address), amountOutMinimum: 0n,
      sqrtPriceLimitX96: target,
    },
    { gasLimit: 1_000_000 },
  );
}

/**
 * In one block: the pool moved by `bps`, then `call` (sent with a fixed gas limit, so nothing is estimated).
 * Returns how `call` fares simulated on the pending block, the two receipts, and the pool ticks around the move.
 */
async function sameBlock(w: VaultWorld, bps: bigint, call: {
  simulate: () => Promise<unknown>;
  send: () => Promise<{ hash: string }>;
}) {
  const provider = hre.ethers.provider;
  const tickBefore = (await w.market.uniPool500.slot0()).tick as bigint;
  await hre.network.provider.send("evm_setAutomine", [false]);
  let simulated: string | null;
  let hashes: string[];
  let pendingTick: bigint;
  try {
    const move = await sendPoolMove(w, bps);
    pendingTick = (await w.market.uniPool500.slot0({ blockTag: "pending" })).tick as bigint;
    try {
      await call.simulate();
      simulated = null;
    } catch (error) {
      simulated = describeRevert(w.vault, error);
    }
    const sent = await call.send();
    hashes = [move.hash, sent.hash];
    await hre.network.provider.send("evm_mine", []);
  } finally {
    await hre.network.provider.send("evm_setAutomine", [true]);
  }
  const [moveReceipt, callReceipt] = await Promise.all(hashes.map((h) => provider.getTransactionReceipt(h)));
  // The tick between the move and the call, as the pending block (which the simulation ran on) saw it.
  const tickAfterMove = pendingTick!;
  expect(tickAfterMove, "the pending block holds the move").to.not.equal(tickBefore);
  return { simulated, moveReceipt: moveReceipt!, callReceipt: callReceipt!, tickBefore, tickAfterMove };
}

describe("security: module guards (issue 8, also-check items)", () => {
  describe("ripcord delevers toward the health-restoring leverage, as DeleverHealth does", () => {
    it("from the same state: leverage after the ripcord <= after a DeleverHealth, HF >= the floor", async () => {
      const w = await loadFixture(ripcordArmed);
      const { minHealthFactor, targetLeverage } = await w.vault.leverageConfig();
      expect((await w.vault.trigger()).action).to.equal(Action.DeleverHealth);
      const snapshot = await takeSnapshot();

      await (await w.vault.connect(w.keeper).rebalance()).wait();
      const health = await w.vault.position();
      expect(health.leverage, "DeleverHealth aims below the target here").to.be.lt(targetLeverage - WAD / 20n);
      await snapshot.restore();

      await expect(w.vault.connect(w.stranger).ripcord()).to.emit(w.vault, "RipcordRewardPaid");
      const ripcord = await w.vault.position();
      // The reward (<= 10 bps of equity) leaves the ripcord a hair more levered than the keeper's call.
      expect(ripcord.leverage, `ripcord ${Number(ripcord.leverage) / 1e18}x vs DeleverHealth ${Number(health.leverage) / 1e18}x`)
        .to.be.lte(health.leverage + WAD / 200n);
      expect(ripcord.healthFactor).to.be.gte(minHealthFactor);
    });
  });

  describe("setLeverageConfig keeps the other configs consistent", () => {
    const withTakeProfit = () =>
      vaultWorld({ ...PRESET_3X_FIXED, takeProfitPrice: 2400, takeProfitLeverage: 2.5 });

    it("reverts VaultInvalidLeverageConfig when the critical HF (1.08) would exceed the new floor", async () => {
      const w = await loadFixture(keeper3x);
      const config = { ...plain(await w.vault.leverageConfig()), minHealthFactor: wad(1.07) };
      await expect(w.vault.setLeverageConfig(config))
        .to.be.revertedWithCustomError(w.vault, "VaultInvalidLeverageConfig")
        .withArgs(anyValue, MAX_LTV_BPS);
      expect((await w.vault.leverageConfig()).minHealthFactor).to.equal(wad(1.15));
      // At the critical HF exactly it is consistent (a loosening: pending or applied, not refused).
      await expect(w.vault.setLeverageConfig({ ...config, minHealthFactor: wad(1.08) })).not.to.be.reverted;
    });

    it("reverts VaultInvalidLeverageConfig when the take-profit leverage (2.5x) would exceed the new target", async () => {
      const w = await loadFixture(withTakeProfit);
      const lower = { targetLeverage: wad(2.2), minLeverage: wad(2), maxLeverage: wad(2.4), minHealthFactor: wad(1.15) };
      await expect(w.vault.setLeverageConfig(lower))
        .to.be.revertedWithCustomError(w.vault, "VaultInvalidLeverageConfig")
        .withArgs(anyValue, MAX_LTV_BPS);
      expect((await w.vault.leverageConfig()).targetLeverage).to.equal(wad(3));
      // With the take-profit leverage lowered first, the same band is accepted (both tightenings: at once).
      await (await w.vault.setExitConfig({ ...plain(await w.vault.exitConfig()), takeProfitLeverage: wad(2) })).wait();
      await expect(w.vault.setLeverageConfig(lower)).to.emit(w.vault, "LeverageConfigSet");
    });
  });

  describe("same-block guard: the pool moved earlier in the block", () => {
    const deleverDue = async () => {
      const w = await keeper3x();
      await setMarketPrice(w.market, 1850); // leverage ~3.6 > 3.3: a deleverage is due
      return w;
    };

    it("rebalance() reverts KeeperPoolMovedInBlock after a 50 bps move in the same block; 5 bps is tolerated", async () => {
      const w = await loadFixture(deleverDue);
      expect((await w.vault.trigger()).action).to.equal(Action.DeleverBand);
      const debt = (await w.vault.position()).debt;
      const rebalance = {
        simulate: () => w.vault.connect(w.keeper).rebalance.staticCall({ blockTag: "pending" }),
        send: () => w.vault.connect(w.keeper).rebalance({ gasLimit: 5_000_000 }),
      };
      const moved = await sameBlock(w, -50n, rebalance);
      expect(moved.moveReceipt.blockNumber).to.equal(moved.callReceipt.blockNumber);
      expect(moved.moveReceipt.status).to.equal(1);
      expect(moved.tickBefore > moved.tickAfterMove ? moved.tickBefore - moved.tickAfterMove : moved.tickAfterMove - moved.tickBefore).to.be.gt(10n);
      expect(moved.callReceipt.status, "rebalance after a 50 bps move in the same block").to.equal(0);
      expect((await w.vault.position()).debt).to.be.gte(debt);
      expectMovedInBlock(moved);

      const w2 = await loadFixture(deleverDue);
      const small = await sameBlock(w2, -5n, rebalance);
      expect(small.moveReceipt.blockNumber).to.equal(small.callReceipt.blockNumber);
      expect(small.simulated, "5 bps is within MAX_BLOCK_MOVE_BPS").to.equal(null);
      expect(small.callReceipt.status).to.equal(1);
      expect((await w2.vault.position()).debt).to.be.lt(debt);
    });

    it("ripcord() reverts KeeperPoolMovedInBlock after a 50 bps move in the same block", async () => {
      const w = await loadFixture(ripcordArmed);
      const before = await w.vault.position();
      const moved = await sameBlock(w, -50n, {
        simulate: () => w.vault.connect(w.stranger).ripcord.staticCall({ blockTag: "pending" }),
        send: () => w.vault.connect(w.stranger).ripcord({ gasLimit: 5_000_000 }),
      });
      expect(moved.moveReceipt.blockNumber).to.equal(moved.callReceipt.blockNumber);
      expect(moved.callReceipt.status, "ripcord after a 50 bps move in the same block").to.equal(0);
      expect((await w.vault.position()).debt).to.be.gte(before.debt);
      expectMovedInBlock(moved);
    });
  });
});

/** The simulated revert names the move since the block opened (1 tick ~ 1 bp) and the 10 bps bound. */
function expectMovedInBlock(moved: { simulated: string | null; tickBefore: bigint; tickAfterMove: bigint }) {
  const match = /^KeeperPoolMovedInBlock\((\d+), 10\)$/.exec(moved.simulated ?? "");
  expect(match, `simulated: ${moved.simulated}`).to.not.equal(null);
  const ticks = moved.tickBefore - moved.tickAfterMove;
  expect(Number(match![1])).to.be.closeTo(Number(ticks < 0n ? -ticks : ticks), 1);
}
