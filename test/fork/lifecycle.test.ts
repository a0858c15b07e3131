/**
 * Fork suite: the vault's life cycle on a fork of a deployed market.
 *
 *   npm run test:fork   live: MAINNET_RPC_URL (and ARBITRUM_RPC_URL) at FORK_BLOCK or the pinned block per chain
 *   npm test            rehearsal: a fork of the local market deployed on a `hardhat node` this file starts
 *
 * The same steps run on every target (see ./targets.ts for what each provides and ./scenario.ts for the moves):
 * parameters found vs the local market's, deployment with the deploy script's code, deposits by two users, a fall
 * through the band and then the health floor (keeper bot), a crash with no keeper running caught by the ripcord
 * (anyone, through the same bot code), a stop-loss unwound in chunks, full exits. After each step the vault's
 * numbers are checked against Aave's own view of the account and against the tokens that moved.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { ACTIONS, MODES, table } from "../../scripts/lib/util/format";
import { wad } from "../../scripts/lib/deploy/vault";
import {
  expectMatchesAave,
  expectPriceSeen,
  keeperRun,
  moveMarket,
  poolPriceE8,
  priceForHealthFactor,
  priceForLeverage,
  readLocalMarketParams,
  readProtocolParams,
  setupForkWorld,
  type ForkWorld,
} from "./scenario";
import { LIVE_CHAINS, forkInProcess, liveRun, liveTargets, startRehearsalSource, unfork, type ForkTarget } from "./targets";

const HOUR = 3600;
const StoppedOut = BigInt(MODES.indexOf("StoppedOut"));

/** The targets this run covers: the live chains whose URL is set, or the rehearsal. */
const planned = liveRun()
  ? LIVE_CHAINS.filter(({ variable }) => process.env[variable]).map(({ name }) => name)
  : ["rehearsal"];

if (planned.length === 0) {
  describe("fork suite", () => {
    it("needs MAINNET_RPC_URL (or ARBITRUM_RPC_URL) for a live run", () => {
      expect.fail("FORK_SUITE=live without MAINNET_RPC_URL or ARBITRUM_RPC_URL: nothing to fork");
    });
  });
}

for (const name of planned) {
  describe(`fork suite on ${name}${name === "rehearsal" ? " (a local hardhat node with the local market)" : ""}`, function () {
    let target: ForkTarget;
    let stopSource: (() => Promise<void>) | undefined;
    let world: ForkWorld;
    const keeperLog: string[] = [];

    before(async function () {
      this.timeout(180_000);
      const started = Date.now();
      if (name === "rehearsal") {
        // A node that cannot start fails this hook, and so every test below: never a skip.
        const source = await startRehearsalSource();
        stopSource = source.stop;
        target = source.target;
      } else {
        target = (await liveTargets()).find((t) => t.name === name)!;
      }
      await forkInProcess(target);
      const took = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`      forked ${target.name} (chain ${target.chainId}) at block ${target.blockNumber} ${target.rehearsal ? `from ${target.url} ` : ""}(${took} s)`);
    });

    after(async function () {
      // Always: back to a plain in-process chain for the other test files, and the node stopped.
      try {
        await unfork();
      } finally {
        await stopSource?.();
      }
    });

    afterEach(function () {
      if (this.currentTest?.state === "failed" && keeperLog.length) console.log(keeperLog.map((l) => `        ${l}`).join("\n"));
      keeperLog.length = 0;
    });

    it("deploys the stack and a 3x vault with the deploy script's code on the address book's addresses", async () => {
      world = await setupForkWorld(target);
      expect(await world.stack.registry.isRegistered(world.vault.target)).to.equal(true);
      expect(await world.vault.isKeeper(world.keeper.address)).to.equal(true);
      expect(await world.vault.asset()).to.equal(world.markets.collateralAsset);
      // The Chainlink answers were overridden at the pool's spot: the vault and Aave's oracle see them.
      await expectPriceSeen(world);
      expect(await poolPriceE8(world)).to.equal(world.startPriceE8);
    });

    it("reports the protocol parameters found next to the local market's", async () => {
      const found = await readProtocolParams(world.markets, {
        collateral: await world.aaveOracle.getSourceOfAsset(world.markets.collateralAsset),
        debt: await world.aaveOracle.getSourceOfAsset(world.markets.debtAsset),
      });
      const local = await readLocalMarketParams();
      const rows = Object.keys({ ...found, ...local }).map((key) => [key, found[key] ?? "-", local[key] ?? "-"]);
      console.log(table(["parameter", `${target.name} @ ${target.blockNumber}`, "local market"], rows).replace(/^/gm, "      "));
      // Feeds are read after the override: the real answers at the fork block are what the override started from.
      expect(found["WETH LTV / liq. threshold / bonus"]).to.match(/%/);
    });

    it("takes deposits from two users; the position matches Aave's account data and the tokens moved", async () => {
      const { vault, weth, alice, bob } = world;
      for (const [user, amount] of [[alice, wad(10)], [bob, wad(5)]] as const) {
        const before = await weth.balanceOf(user.address);
        const shares = await vault.previewDeposit(amount);
        await (await vault.connect(user)["deposit(uint256,address)"](amount, user.address)).wait();
        expect(before - (await weth.balanceOf(user.address)), "WETH pulled").to.equal(amount);
        // The preview prices the levering swap at the max slippage: the shares received are at least that.
        expect(await vault.balanceOf(user.address), "shares").to.be.gte(shares).and.lte((shares * 103n) / 100n);
      }
      const p = await vault.position();
      expect(p.leverage).to.be.closeTo(wad(3), wad(0.05));
      expect(await vault.totalAssets()).to.be.closeTo(wad(15), wad(0.15));
      await expectMatchesAave(world, "after deposits");
    });

    it("a fall above the band: the keeper bot delevers (DeleverBand) back into the band", async () => {
      // Above the band but not yet under the health floor: halfway to the leverage where HF = floor.
      const lt = Number(world.liquidationThresholdBps) / 10_000;
      const leverageAtFloor = 1 / (1 - lt / world.settings.minHealthFactor);
      const price = await priceForLeverage(world, wad(((world.settings.maxLeverage + leverageAtFloor) / 2).toFixed(4)));
      await moveMarket(world, price, HOUR);
      const before = await world.vault.position();
      expect(before.healthFactor, "health still above the floor").to.be.gt(wad(world.settings.minHealthFactor));
      const pass = await keeperRun(world, world.keeper, keeperLog);
      expect(pass.actions.map((a) => [a.action, a.ok])).to.deep.equal([["DeleverBand", true]]);
      const after = await world.vault.position();
      expect(after.leverage).to.be.lte(wad(world.settings.maxLeverage)).and.gte(wad(world.settings.minLeverage));
      expect(after.debt).to.be.lt(before.debt);
      await expectMatchesAave(world, "after DeleverBand");
    });

    it("a further fall inside the cooldown under the health floor: the keeper delevers on health (DeleverHealth)", async () => {
      const price = await priceForHealthFactor(world, wad((world.settings.minHealthFactor - 0.02).toFixed(4)));
      await moveMarket(world, price, 60);
      const pass = await keeperRun(world, world.keeper, keeperLog);
      expect(pass.actions.map((a) => a.action)).to.include("DeleverHealth");
      expect(pass.actions.every((a) => a.ok)).to.equal(true);
      expect((await world.vault.position()).healthFactor).to.be.gte(wad(world.settings.minHealthFactor));
      await expectMatchesAave(world, "after DeleverHealth");
    });

    it("a crash with no keeper running: anyone pulls the ripcord through the bot's code and is paid", async () => {
      const { vault, weth, stranger } = world;
      const critical = wad(world.settings.criticalHealthFactor);
      await moveMarket(world, await priceForHealthFactor(world, critical - wad(0.02)), 60);
      expect((await vault.position()).healthFactor).to.be.lt(critical);
      const before = await weth.balanceOf(stranger.address);
      const pass = await keeperRun(world, stranger, keeperLog);
      // The ripcord first (rewarded); what it leaves under the floor anyone may delever further (unpaid).
      expect(pass.actions.map((a) => [a.call, a.ok])[0]).to.deep.equal(["ripcord", true]);
      expect(pass.actions.slice(1).map((a) => [a.call, a.action, a.ok])).to.deep.equal(pass.actions.slice(1).map(() => ["rebalance", "DeleverHealth", true]));
      const reward = pass.actions[0].reward!;
      expect(reward).to.be.gt(0n).and.lte(wad(world.settings.ripcordRewardCap));
      expect((await weth.balanceOf(stranger.address)) - before, "reward paid in WETH").to.equal(reward);
      expect((await vault.position()).healthFactor).to.be.gt(critical);
      await expectMatchesAave(world, "after ripcord");
    });

    it("a fall through the stop-loss: the keeper unwinds it in chunks of the max trade size, then nothing is due", async () => {
      const { vault } = world;
      const stopE8 = BigInt(Math.round(world.settings.stopLossPrice * 1e8));
      expect(await poolPriceE8(world), "price still above the stop before this step").to.be.gt(stopE8);
      await moveMarket(world, (stopE8 * 99n) / 100n, HOUR);
      const pass = await keeperRun(world, world.keeper, keeperLog);
      const stops = pass.actions.filter((a) => a.action === ACTIONS[4]);
      expect(stops.length, "StopLoss calls").to.be.gte(2);
      expect(pass.actions.every((a) => a.ok)).to.equal(true);
      expect((await vault.automationState()).mode).to.equal(StoppedOut);
      const p = await vault.position();
      expect(p.debt).to.equal(0n);
      expect(p.leverage).to.equal(wad(1));
      expect((await vault.trigger()).needed).to.equal(false);
      await expectMatchesAave(world, "after the stop-loss");
    });

    it("full exits: both users redeem every share and get what the preview promised; nothing is left on Aave", async () => {
      const { vault, weth, alice, bob } = world;
      for (const user of [alice, bob]) {
        const shares = await vault.balanceOf(user.address);
        const preview = await vault.previewRedeem(shares);
        const before = await weth.balanceOf(user.address);
        await (await vault.connect(user)["redeem(uint256,address,address)"](shares, user.address, user.address)).wait();
        const received = BigInt(await weth.balanceOf(user.address)) - BigInt(before);
        // The preview is a lower bound (it keeps back the rounding of a few raw debt units): at 1x the exit pays
        // it plus at most that allowance.
        expect(received, "WETH received").to.be.gte(preview);
        expect(received - preview, "WETH received beyond the preview").to.be.lte(10n ** 10n);
        expect(await vault.balanceOf(user.address)).to.equal(0n);
      }
      expect(await vault.totalSupply()).to.equal(0n);
      expect(await world.aToken.balanceOf(vault.target)).to.be.lt(wad(0.0001));
      expect(await world.debtToken.balanceOf(vault.target)).to.equal(0n);
      const block = await ethers.provider.getBlockNumber();
      expect(block).to.be.gt(target.blockNumber);
    });
  });
}
