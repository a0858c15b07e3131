/**
 * The operator / user tasks (tasks/vault.ts) run in-process through hre.run against a local stack, the way
 * `npx hardhat <task> --network ...` runs them.
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther } from "ethers";
import type { AaveUniswapVaultFactory, MockAggregator } from "../../typechain-types";
import { Action } from "../shared/keeper";
import { advanceTime, setMarketPrice } from "../shared/market-helpers";
import { toPriceE8 } from "../shared/market";
import { deployModule, localMarketAddresses, localOracleConfig } from "../../scripts/lib/vault";
import { createVault } from "../../scripts/lib/deploy";
import type { KeeperPassResult } from "../../scripts/lib/keeper";
import type { DepositResult, WithdrawResult } from "../../tasks/vault";
import { SETTINGS_3X, vaultStackWorld, type VaultStackWorld } from "../factory/fixtures";

const WAD = 10n ** 18n;

/** Runs a task with console.log captured: returns what it returned and what it printed. */
async function runTask<T>(name: string, args: Record<string, unknown>): Promise<{ result: T; output: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => lines.push(parts.map(String).join(" "));
  try {
    const result = (await hre.run(name, args)) as T;
    return { result, output: lines.join("\n") };
  } finally {
    console.log = log;
  }
}

/** The fixture vault with 10 WETH from alice, levered to 3x. */
async function depositedWorld(): Promise<VaultStackWorld> {
  const world = await vaultStackWorld();
  await (await world.created.vault.connect(world.alice).deposit(parseEther("10"), world.alice.address)).wait();
  return world;
}

describe("tasks", () => {
  describe("vault:deposit", () => {
    it("deposits and levers to target; the shares go to the signer", async () => {
      const { created, alice } = await loadFixture(vaultStackWorld);
      const { result, output } = await runTask<DepositResult>("vault:deposit", {
        vault: created.address,
        amount: "10",
        signer: alice.address,
      });
      expect(result.assets).to.equal(parseEther("10"));
      expect(result.shares).to.be.gt(0n);
      expect(await created.vault.balanceOf(alice.address)).to.equal(result.shares);
      expect((await created.vault.position()).leverage).to.be.closeTo(3n * WAD, WAD / 100n);
      expect(output).to.match(/deposited 10 WETH for [\d.,]+ shares/).and.match(/leverage 3(\.\d+)?x/);
    });

    it("wraps ETH with --wrap when the WETH balance is short, and refuses without it", async () => {
      const { created, stranger } = await loadFixture(vaultStackWorld);
      await expect(
        runTask("vault:deposit", { vault: created.address, amount: "2", signer: stranger.address }),
      ).to.be.rejectedWith(/balance 0.0 WETH < 2: fund the account or pass --wrap/);
      const { result } = await runTask<DepositResult>("vault:deposit", {
        vault: created.address,
        amount: "2",
        signer: stranger.address,
        wrap: true,
      });
      expect(await created.vault.balanceOf(stranger.address)).to.equal(result.shares).and.be.gt(0n);
    });

    it("refuses more than the vault accepts (deposit cap)", async () => {
      const { created, alice } = await loadFixture(vaultStackWorld);
      await expect(
        runTask("vault:deposit", { vault: created.address, amount: "20000", signer: alice.address }),
      ).to.be.rejectedWith(/vault accepts at most 10000.0 WETH/);
    });
  });

  describe("vault:status", () => {
    it("prints position, configuration and trigger, and the account's shares", async () => {
      const { created, alice } = await loadFixture(depositedWorld);
      const { result, output } = await runTask<{ trigger: { needed: boolean }; account: { shares: bigint; assets: bigint } }>(
        "vault:status",
        { vault: created.address, account: alice.address },
      );
      expect(result.trigger.needed).to.equal(false);
      expect(result.account.shares).to.equal(await created.vault.balanceOf(alice.address));
      expect(result.account.assets).to.be.within(parseEther("9.7"), parseEther("10"));
      for (const expected of [
        "Levered WETH 3x (lvWETH3x)",
        "leverage",
        "health factor",
        "band 2.7x-3.3x",
        "stop-loss 1,500 USDC/WETH",
        "mode Active",
        "trigger: nothing to do",
        "ripcord not armed",
      ]) {
        expect(output).to.include(expected);
      }
    });
  });

  describe("vault:withdraw", () => {
    it("withdraws an exact amount, then --all redeems every share", async () => {
      const { created, alice, market } = await loadFixture(depositedWorld);
      const weth0 = await market.weth.balanceOf(alice.address);
      const partial = await runTask<WithdrawResult>("vault:withdraw", { vault: created.address, amount: "3", signer: alice.address });
      expect(partial.result.assets).to.equal(parseEther("3"));
      expect((await market.weth.balanceOf(alice.address)) - weth0).to.equal(parseEther("3"));

      const all = await runTask<WithdrawResult>("vault:withdraw", { vault: created.address, all: true, signer: alice.address });
      expect(await created.vault.balanceOf(alice.address)).to.equal(0n);
      expect(all.result.assets).to.be.within(parseEther("6.7"), parseEther("7"));
      expect(all.output).to.include("shares left: 0");
      expect(await created.vault.totalSupply()).to.equal(0n);
    });

    it("needs exactly one of --amount and --all, and shares to redeem", async () => {
      const { created, alice, bob } = await loadFixture(depositedWorld);
      await expect(runTask("vault:withdraw", { vault: created.address, signer: alice.address })).to.be.rejectedWith(
        /exactly one of --amount/,
      );
      await expect(
        runTask("vault:withdraw", { vault: created.address, amount: "1", all: true, signer: alice.address }),
      ).to.be.rejectedWith(/exactly one of --amount/);
      await expect(runTask("vault:withdraw", { vault: created.address, all: true, signer: bob.address })).to.be.rejectedWith(
        /holds no shares/,
      );
    });
  });

  describe("vault:set-keeper", () => {
    it("lets the manager allow-list and remove a keeper, and nobody else", async () => {
      const { created, owner, stranger } = await loadFixture(vaultStackWorld);
      const { result } = await runTask<boolean>("vault:set-keeper", { vault: created.address, keeper: stranger.address, signer: owner.address });
      expect(result).to.equal(true);
      expect(await created.vault.isKeeper(stranger.address)).to.equal(true);
      await runTask("vault:set-keeper", { vault: created.address, keeper: stranger.address, remove: true, signer: owner.address });
      expect(await created.vault.isKeeper(stranger.address)).to.equal(false);
      await expect(
        runTask("vault:set-keeper", { vault: created.address, keeper: stranger.address, signer: stranger.address }),
      ).to.be.rejectedWith(/only the manager/);
    });
  });

  describe("keeper:run --once", () => {
    it("rebalances a vault whose trigger is active (keeper allow-listed) and logs action and gas", async () => {
      const { created, stack, keeper, market } = await loadFixture(depositedWorld);
      await advanceTime(3600, market);
      await setMarketPrice(market, 2200);
      expect((await created.vault.trigger()).action).to.equal(Action.ReleverBand);

      const { result, output } = await runTask<KeeperPassResult[]>("keeper:run", {
        registry: stack.registry.target,
        once: true,
        signer: keeper.address,
      });
      expect(result).to.have.length(1);
      const [pass] = result;
      expect(pass.scanned).to.equal(1);
      expect(pass.failures).to.deep.equal([]);
      expect(pass.actions).to.have.length(1);
      const [action] = pass.actions;
      expect(action).to.include({ vault: created.address, call: "rebalance", action: "ReleverBand", ok: true });
      expect(action.gasUsed).to.be.gt(100_000n);
      expect(action.leverageAfter).to.be.closeTo(3n * WAD, WAD / 100n);
      expect((await created.vault.trigger()).needed).to.equal(false);
      expect(output).to.match(/rebalance\(\) ReleverBand: gas [\d,]+ lev 2\.\d+x -> 3(\.\d+)?x/);
      expect(output).to.include("pass: 1 vault(s), 1 action(s) done");
    });

    it("without the keeper role, pulls the ripcord once HF is below critical", async () => {
      const { created, stack, stranger, market } = await loadFixture(depositedWorld);
      await advanceTime(3600, market);
      await setMarketPrice(market, 1700); // -15% at 3x: HF ~1.06, below the 1.08 critical level, above the 1500 stop
      const critical = (await created.vault.automationConfig()).criticalHealthFactor;
      expect((await created.vault.position()).healthFactor).to.be.lt(critical).and.gt(WAD);
      const wethBefore = await market.weth.balanceOf(stranger.address);

      const { result, output } = await runTask<KeeperPassResult[]>("keeper:run", {
        registry: stack.registry.target,
        once: true,
        signer: stranger.address,
      });
      const ripcords = result[0].actions.filter((a) => a.call === "ripcord" && a.ok);
      expect(ripcords.length).to.be.gte(1);
      expect(ripcords[0].reward).to.be.gt(0n);
      expect((await market.weth.balanceOf(stranger.address)) - wethBefore).to.equal(
        ripcords.reduce((sum, a) => sum + a.reward!, 0n),
      );
      expect((await created.vault.position()).healthFactor).to.be.gte(critical);
      expect(output).to.include("DeleverHealth due, but").and.include("is not an allow-listed keeper");
      expect(output).to.match(/ripcord\(\) Ripcord: gas [\d,]+/);
    });

    it("logs a vault that cannot be read (stale feed) and still services the others", async () => {
      const { created, stack, keeper, market, owner } = await loadFixture(depositedWorld);
      // A second factory on the same registry, whose vaults read their own ETH/USD feed.
      const Feed = await hre.ethers.getContractFactory("contracts/test/MockAggregator.sol:MockAggregator", owner);
      const feed = (await Feed.deploy(8, "ETH / USD (second)", toPriceE8(2000))) as unknown as MockAggregator;
      const markets = localMarketAddresses(market);
      const oracle = { ...localOracleConfig(market), collateralFeed: feed.target };
      const module = await deployModule(hre.ethers, markets, oracle, owner);
      const Factory = await hre.ethers.getContractFactory("AaveUniswapVaultFactory", owner);
      const factory = (await Factory.deploy(markets, oracle, module.target, stack.registry.target)) as unknown as AaveUniswapVaultFactory;
      await (await stack.registry.setFactory(factory.target, true)).wait();
      const broken = await createVault(hre.ethers, factory, owner, { settings: SETTINGS_3X, keepers: [keeper.address] });
      expect(await stack.registry.vaultCount()).to.equal(2n);

      await advanceTime(3600, market); // refreshes the market's feeds, not the second one: it goes stale
      await setMarketPrice(market, 2200);
      await expect(broken.vault.trigger()).to.be.revertedWithCustomError(broken.vault, "OracleStale");

      const { result, output } = await runTask<KeeperPassResult[]>("keeper:run", {
        registry: stack.registry.target,
        once: true,
        signer: keeper.address,
      });
      const [pass] = result;
      expect(pass.scanned).to.equal(2);
      expect(pass.failures).to.have.length(1);
      expect(pass.failures[0].vault).to.equal(broken.address);
      expect(pass.failures[0].error).to.match(/^OracleStale\(/);
      expect(pass.actions.map((a) => [a.vault, a.action, a.ok])).to.deep.equal([[created.address, "ReleverBand", true]]);
      expect(output).to.include("skipped: OracleStale");
    });

    it("unwinds a stop-loss to 1x over as many calls as it takes", async () => {
      const { created, stack, keeper, market } = await loadFixture(depositedWorld);
      // Small trades so the unwind needs several chunks.
      const c = await created.vault.automationConfig();
      await (
        await created.vault.setAutomationConfig({
          criticalHealthFactor: c.criticalHealthFactor,
          maxDexDeviationBps: c.maxDexDeviationBps,
          maxEquityLossBps: c.maxEquityLossBps,
          cooldown: c.cooldown,
          ripcordRewardBps: c.ripcordRewardBps,
          ripcordRewardCap: c.ripcordRewardCap,
          maxTradeSize: 10_000n * 10n ** 6n,
        })
      ).wait();
      for (const price of [1900, 1800, 1700, 1600]) {
        await advanceTime(3600, market);
        await setMarketPrice(market, price);
        await runTask("keeper:run", { registry: stack.registry.target, once: true, signer: keeper.address });
      }
      await advanceTime(3600, market);
      await setMarketPrice(market, 1450);
      expect((await created.vault.trigger()).action).to.equal(Action.StopLoss);
      const { result } = await runTask<KeeperPassResult[]>("keeper:run", {
        registry: stack.registry.target,
        once: true,
        signer: keeper.address,
      });
      const stops = result[0].actions.filter((a) => a.action === "StopLoss" && a.ok);
      expect(stops.length).to.be.gte(2);
      expect((await created.vault.position()).debt).to.equal(0n);
      expect((await created.vault.trigger()).needed).to.equal(false);
    });
  });
});
