/**
 * The operator / user tasks (tasks/vault.ts) run in-process through hre.run against a local stack, the way
 * `npx hardhat <task> --network ...` runs them.
 */
import { runTask } from "../shared/tasks";
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, parseEther } from "ethers";
import type { MockAggregator, VaultFactory } from "../../typechain-types";
import { Action } from "../shared/keeper";
import { plain } from "../shared/structs";
import { acceptPending } from "../shared/timelock";
import { advanceTime, setMarketPrice } from "../shared/market-helpers";
import { toPriceE8 } from "../shared/market";
import { deployModule, localMarketAddresses, localOracleConfig } from "../../scripts/lib/deploy/vault";
import { createVault, encodeMarkets, type CreatedVault } from "../../scripts/lib/deploy/deploy";
import { writeDeploymentRecord, type DeploymentRecord } from "../../scripts/lib/deploy/deployments";
import type { KeeperPassResult } from "../../scripts/lib/keeper/keeper";
import { countRpc } from "../../scripts/lib/util/rpc-counter";
import { actionName } from "../../scripts/lib/util/format";
import type { DepositResult, StatusResult, WithdrawResult } from "../../tasks/vault";
import { SETTINGS_3X, vaultStackWorld, type VaultStackWorld } from "../factory/fixtures";

const WAD = 10n ** 18n;

/** The fixture vault with 10 WETH from alice, levered to 3x. */
async function depositedWorld(): Promise<VaultStackWorld> {
  const world = await vaultStackWorld();
  await (await world.created.vault.connect(world.alice)["deposit(uint256,address)"](parseEther("10"), world.alice.address)).wait();
  return world;
}

interface FleetWorld extends VaultStackWorld {
  /** 2x with a wide band (1.5x-2.5x), keeper allow-listed, 10 WETH: quiet after a +10% move. */
  quiet: CreatedVault;
  /** 3x like the fixture, 10 WETH, but the keeper is not allow-listed: its re-lever is due and must be skipped. */
  foreign: CreatedVault;
  /** 3x, keeper allow-listed, no deposit: nothing to do at any price. */
  empty: CreatedVault;
}

/** The deposited fixture vault plus three more vaults in the same registry, each with its own reason to be left alone. */
async function fleetWorld(): Promise<FleetWorld> {
  const world = await depositedWorld();
  const { stack, owner, keeper, alice, bob, market } = world;
  const quiet = await createVault(hre.ethers, stack.factory, owner, {
    settings: { name: "Quiet 2x", symbol: "q2x", targetLeverage: 2, minLeverage: 1.5, maxLeverage: 2.5 },
    keepers: [keeper.address],
    salt: "quiet",
  });
  const foreign = await createVault(hre.ethers, stack.factory, owner, {
    settings: { ...SETTINGS_3X, name: "No keeper 3x", symbol: "nk3x" },
    salt: "foreign",
  });
  const empty = await createVault(hre.ethers, stack.factory, owner, {
    settings: { ...SETTINGS_3X, name: "Empty 3x", symbol: "e3x" },
    keepers: [keeper.address],
    salt: "empty",
  });
  for (const [vault, user] of [
    [quiet, alice],
    [foreign, bob],
  ] as const) {
    await (await market.weth.connect(user).getFunction("approve")(vault.address, MaxUint256)).wait();
    await (await vault.vault.connect(user)["deposit(uint256,address)"](parseEther("10"), user.address)).wait();
  }
  return { ...world, quiet, foreign, empty };
}

/**
 * The JSON-RPC requests that reach the node while installed: method and, for calls and sends, the target, seen
 * through the same provider wrapper the keeper-scale benchmark counts with (scripts/lib/util/rpc-counter.ts).
 */
function recordRpc() {
  const seen: { method: string; to?: string }[] = [];
  const counter = countRpc(hre.network.provider, (method, params) => {
    const first = Array.isArray(params) ? (params[0] as { to?: unknown } | undefined) : undefined;
    seen.push({ method, to: typeof first?.to === "string" ? first.to.toLowerCase() : undefined });
  });
  return {
    seen,
    /** Requests sent to `address` (eth_call, eth_estimateGas, eth_sendTransaction...). */
    to: (address: unknown) => seen.filter((r) => r.to === String(address).toLowerCase()),
    stop: () => counter.stop(),
  };
}

/** Runs `body` with the node's JSON-RPC requests recorded (`recordRpc`), and stops recording whatever happens. */
async function whileRecording<T>(body: () => Promise<T>) {
  const rpc = recordRpc();
  try {
    return { value: await body(), rpc };
  } finally {
    rpc.stop();
  }
}

const keeperRun = (args: Record<string, unknown>) => runTask<KeeperPassResult[]>("keeper:run", { once: true, ...args });

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
      ).to.be.rejectedWith(/vault accepts at most [\d.,]+ WETH/);
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

  describe("bad input: one line, before the chain is touched", () => {
    it("refuses malformed amounts and addresses without sending a request", async () => {
      const { created, alice } = await loadFixture(vaultStackWorld);
      const base = { vault: created.address, signer: alice.address };
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ ...base, amount: "-1" }, /^--amount must be positive \(got '-1'\)$/],
        [{ ...base, amount: "abc" }, /^--amount 'abc' is not a number: write tokens as a decimal, e\.g\. 1\.5$/],
        [{ ...base, amount: "1e3" }, /^--amount '1e3': write the number without an exponent/],
        [{ ...base, amount: "0" }, /^--amount must be > 0$/],
        [{ ...base, amount: "1", vault: "0x12" }, /^--vault '0x12' is not an address \(0x followed by 40 hex digits\)$/],
        [{ ...base, amount: "1", vault: created.address.toLowerCase().replace("0x", "0X") }, /is not an address/],
        [{ ...base, amount: "1", receiver: "0xAbCdEf0000000000000000000000000000000001" }, /^--receiver '0xAbCd.*' has a wrong checksum/],
        [{ ...base, amount: "1", signer: "nope" }, /^--signer 'nope' is not an address/],
      ];
      const rpc = recordRpc();
      try {
        for (const [args, message] of cases) {
          const error = await hre.run("vault:deposit", args).then(
            () => undefined,
            (e: Error) => e,
          );
          expect(error, JSON.stringify(args)).to.be.instanceOf(Error);
          expect(error!.message, JSON.stringify(args)).to.match(message);
          expect(error!.message).to.not.include("\n");
          expect(error!.constructor.name).to.equal("UserError");
        }
      } finally {
        rpc.stop();
      }
      expect(rpc.seen).to.deep.equal([]);
    });

    it("refuses more decimals than the token has, a non-vault, a signer that is not an account, bad integers", async () => {
      const { created, alice, market, stack, keeper } = await loadFixture(vaultStackWorld);
      await expect(
        runTask("vault:deposit", { vault: created.address, amount: "1.0000000000000000001", signer: alice.address }),
      ).to.be.rejectedWith(/^--amount 1\.0000000000000000001 has 19 decimals; WETH has 18$/);
      for (const notVault of [market.weth.target, stack.registry.target]) {
        await expect(runTask("vault:status", { vault: notVault })).to.be.rejectedWith(
          new RegExp(`^${notVault} is not a levered vault \\(asset\\(\\) / debtAsset\\(\\) failed: `),
        );
      }
      await expect(runTask("vault:status", { vault: "0x000000000000000000000000000000000000dEaD" })).to.be.rejectedWith(
        /^no contract at 0x000000000000000000000000000000000000dEaD on 'hardhat'$/,
      );
      await expect(
        runTask("vault:deposit", { vault: created.address, amount: "1", signer: "0x000000000000000000000000000000000000dEaD" }),
      ).to.be.rejectedWith(/^--signer 0x000000000000000000000000000000000000dEaD is not an account of network 'hardhat'$/);
      await expect(
        keeperRun({ registry: stack.registry.target, signer: keeper.address, pageSize: "0", interval: "x" }),
      ).to.be.rejectedWith(/^--interval must be an integer from 1 up \(got 'x'\); --page-size must be an integer from 1 to 100000 \(got '0'\)$/);
    });
  });

  describe("--dry-run", () => {
    it("vault:deposit and vault:withdraw print the effect (shares, assets, leverage and HF after, gas) and change nothing", async () => {
      const { created, alice, stranger, market } = await loadFixture(depositedWorld);
      const before = { block: await hre.ethers.provider.getBlockNumber(), supply: await created.vault.totalSupply(), position: plain(await created.vault.position()) };
      const wethBefore = await market.weth.balanceOf(stranger.address);

      // The stranger has no WETH: the dry run wraps and approves too, on the snapshot.
      const deposit = await runTask<DepositResult>("vault:deposit", { vault: created.address, amount: "2", signer: stranger.address, wrap: true, dryRun: true });
      expect(deposit.result).to.include({ dryRun: true, txHash: "" });
      expect(deposit.result.shares).to.be.gt(0n);
      expect(deposit.result.gasUsed).to.be.gt(200_000n);
      expect(deposit.result.leverageAfter).to.be.closeTo(3n * WAD, WAD / 50n);
      expect(deposit.output).to.include("dry run: simulated on a snapshot of the chain and reverted; nothing was sent");
      expect(deposit.output).to.match(/would deposit 2 WETH for [\d.,]+ shares to 0x[0-9a-fA-F]{40}; gas wrap [\d,]+, approve [\d,]+, deposit [\d,]+/);
      expect(deposit.output).to.match(/vault after: +leverage 3(\.\d+)?x, HF [\d.]+, equity \$[\d,]+/);

      const withdraw = await runTask<WithdrawResult>("vault:withdraw", { vault: created.address, all: true, signer: alice.address, dryRun: true });
      expect(withdraw.result).to.include({ dryRun: true, txHash: "" });
      expect(withdraw.result.assets).to.be.within(parseEther("9.7"), parseEther("10"));
      expect(withdraw.result.shares).to.equal(before.supply);
      expect(withdraw.output).to.match(/would redeem [\d.,]+ shares \(preview [\d.]+ WETH\): [\d.]+ WETH to 0x[0-9a-fA-F]{40} for [\d.,]+ shares; gas [\d,]+/);
      expect(withdraw.output).to.match(/vault after: +leverage 1x, HF ∞, equity \$0$/m);

      expect(await hre.ethers.provider.getBlockNumber()).to.equal(before.block);
      expect(await created.vault.totalSupply()).to.equal(before.supply);
      expect(plain(await created.vault.position())).to.deep.equal(before.position);
      expect(await market.weth.balanceOf(stranger.address)).to.equal(wethBefore);
      expect(await created.vault.balanceOf(stranger.address)).to.equal(0n);
    });

    it("vault:set-keeper and keeper:run simulate, estimate gas and send nothing", async () => {
      const { created, stack, owner, keeper, stranger, market } = await loadFixture(depositedWorld);
      const setKeeper = await runTask<boolean>("vault:set-keeper", { vault: created.address, keeper: stranger.address, signer: owner.address, dryRun: true });
      expect(setKeeper.result).to.equal(false);
      expect(setKeeper.output).to.match(/dry run: setKeeper\(0x[0-9a-fA-F]{40}, true\) would pass; gas ~[\d,]+; nothing was sent/);
      expect(await created.vault.isKeeper(stranger.address)).to.equal(false);

      await advanceTime(3600, market);
      await setMarketPrice(market, 2200);
      const block = await hre.ethers.provider.getBlockNumber();
      const { value: run, rpc } = await whileRecording(() => keeperRun({ registry: stack.registry.target, lens: stack.lens.target, signer: keeper.address, dryRun: true }));
      const [pass] = run.result;
      expect(pass.actions).to.have.length(1);
      expect(pass.actions[0]).to.include({ call: "rebalance", action: "ReleverBand", ok: true, dryRun: true });
      expect(pass.actions[0].gasUsed).to.be.gt(100_000n);
      expect(rpc.seen.map((r) => r.method)).to.not.include("eth_sendTransaction");
      expect(await hre.ethers.provider.getBlockNumber()).to.equal(block);
      expect((await created.vault.trigger()).action).to.equal(Action.ReleverBand);
      expect(run.output).to.include("DRY RUN: nothing is sent");
      expect(run.output).to.match(/rebalance\(\) ReleverBand would be sent \(dry run\): simulation passed, gas ~[\d,]+/);
      expect(run.output).to.include("0 action(s) done, 1 simulated (dry run), 0 refused");
    });
  });

  describe("vault:status with a stale oracle", () => {
    it("still prints roles and configuration, and says which feed is stale since when", async () => {
      const { created, market } = await loadFixture(depositedWorld);
      const [, , , updatedAt] = await market.ethUsdFeed.latestRoundData();
      await time.increaseTo(updatedAt + 3600n + 7200n); // the 1 h heartbeat ran out two hours ago
      await expect(created.vault.position()).to.be.revertedWithCustomError(created.vault, "OracleStale");
      const { result, output } = await runTask<StatusResult>("vault:status", { vault: created.address });
      expect(result.position).to.equal(undefined);
      expect(result.oracleStale).to.deep.equal({
        feed: market.ethUsdFeed.target,
        updatedAt,
        heartbeat: 3600n,
        staleSince: updatedAt + 3600n,
      });
      const since = new Date(Number(updatedAt + 3600n) * 1000).toISOString().replace(".000Z", "Z");
      expect(output).to.match(new RegExp(`unavailable: oracle STALE: feed .*\\(${market.ethUsdFeed.target}\\) last answered at .*, heartbeat 3600 s: stale since ${since} \\(2 h 0 min ago\\)`));
      for (const expected of ["Levered WETH 3x (lvWETH3x)", "roles: owner", "band 2.7x-3.3x", "stop-loss 1,500 USDC/WETH", "mode Active", "trigger: unavailable (OracleStale(feed="]) {
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

  describe("vault:set-gas-feed", () => {
    it("sets the feed keeper pay prices gas with while pay is off, shows it in vault:status, refuses while pay is on", async () => {
      const { created, owner, stranger, market } = await loadFixture(vaultStackWorld);
      const feed = String(market.ethUsdFeed.target);
      await expect(runTask("vault:set-gas-feed", { vault: created.address, feed, signer: stranger.address })).to.be.rejectedWith(/only the manager 0x.* or the owner 0x/);
      await expect(runTask("vault:set-gas-feed", { vault: created.address, feed: "0x12", signer: owner.address })).to.be.rejectedWith(/--feed '0x12' is not an address/);
      const { result } = await runTask<string>("vault:set-gas-feed", { vault: created.address, feed, signer: owner.address });
      expect(result).to.equal(feed);
      expect(await created.vault.gasTokenFeed()).to.equal(feed);
      const { result: status, output } = await runTask<StatusResult>("vault:status", { vault: created.address });
      expect(status.keeperPay?.gasTokenFeed).to.equal(feed);
      expect(output).to.include(`keeper pay: off (gas token feed ${feed})`);

      await (await created.vault.connect(owner).setKeeperPayConfig({ multiplierBps: 12_000, gasTokenIsDebt: false, maxGasPrice: 10n ** 11n, maxPerAction: parseEther("0.05"), maxPerDay: parseEther("1") })).wait();
      await expect(runTask("vault:set-gas-feed", { vault: created.address, feed: "none", signer: owner.address })).to.be.rejectedWith(/only while keeper pay is off and no keeper-pay change is pending/);
      expect(await created.vault.gasTokenFeed()).to.equal(feed);
    });
  });

  describe("keeper:run --once", () => {
    // Deployment records are read from a temporary folder: a stray deployments/hardhat.json must not matter.
    let savedDir: string | undefined;
    before(() => {
      savedDir = process.env.DEPLOYMENTS_DIR;
      process.env.DEPLOYMENTS_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "keeper-deployments-"));
    });
    after(() => {
      if (savedDir === undefined) delete process.env.DEPLOYMENTS_DIR;
      else process.env.DEPLOYMENTS_DIR = savedDir;
    });

    it("rebalances a vault whose trigger is active (keeper allow-listed) and logs action and gas", async () => {
      const { created, stack, keeper, market } = await loadFixture(depositedWorld);
      await advanceTime(3600, market);
      await setMarketPrice(market, 2200);
      expect((await created.vault.trigger()).action).to.equal(Action.ReleverBand);

      const { result, output } = await keeperRun({ registry: stack.registry.target, lens: stack.lens.target, signer: keeper.address });
      expect(result).to.have.length(1);
      const [pass] = result;
      expect(pass).to.include({ scanned: 1, via: "lens", scanCalls: 1, due: 1 });
      expect(pass.failures).to.deep.equal([]);
      expect(pass.actions).to.have.length(1);
      const [action] = pass.actions;
      expect(action).to.include({ vault: created.address, call: "rebalance", action: "ReleverBand", ok: true });
      expect(action.gasUsed).to.be.gt(100_000n);
      expect(action.leverageAfter).to.be.closeTo(3n * WAD, WAD / 100n);
      expect((await created.vault.trigger()).needed).to.equal(false);
      expect(output).to.include(`scanning through KeeperLens ${stack.lens.target} (from --lens`);
      expect(output).to.match(/rebalance\(\) ReleverBand: gas [\d,]+ lev 2\.\d+x -> 3(\.\d+)?x/);
      expect(output).to.match(/pass: 1 vault\(s\), 1 action\(s\) done, 0 refused, 0 unreadable; 1 due \(KeeperLens scan, 1 eth_call\(s\) at block \d+\)/);
    });

    it("via the lens: one eth_call reads every vault; only the due vaults are touched, the others skipped", async () => {
      const { created, quiet, foreign, empty, stack, keeper, market } = await loadFixture(fleetWorld);
      await advanceTime(3600, market);
      await setMarketPrice(market, 2200);
      // What each vault's own trigger() says: the fixture and `foreign` want a re-lever, the others nothing.
      const actions = await Promise.all([created, quiet, foreign, empty].map(async (v) => (await v.vault.trigger()).action));
      expect(actions).to.deep.equal([Action.ReleverBand, Action.None, Action.ReleverBand, Action.None]);

      const { value: run, rpc } = await whileRecording(() => keeperRun({ registry: stack.registry.target, lens: stack.lens.target, signer: keeper.address }));
      const [pass] = run.result;
      expect(pass).to.include({ scanned: 4, via: "lens", scanCalls: 1, due: 2 });
      expect(pass.failures).to.deep.equal([]);
      expect(pass.actions.map((a) => [a.vault, a.call, a.action, a.ok])).to.deep.equal([
        [created.address, "rebalance", "ReleverBand", true],
      ]);
      expect((await created.vault.position()).leverage).to.be.closeTo(3n * WAD, WAD / 100n);
      // `foreign` is due but this keeper may not rebalance it, and its HF is far above critical: left alone.
      expect((await foreign.vault.trigger()).action).to.equal(Action.ReleverBand);
      expect(run.output).to.include(`vault ${foreign.address.slice(0, 8)}…${foreign.address.slice(-4)} ReleverBand due, but`);
      expect(run.output).to.include("is not an allow-listed keeper");
      expect(run.output).to.not.match(/ripcord\(\)/);

      // The quiet vaults were only read through the lens during the pass; the due ones were asked directly. The one
      // eth_call each is the start-up check that the keeper is allow-listed (isKeeper), made once per run.
      expect(rpc.to(quiet.address)).to.deep.equal([{ method: "eth_call", to: quiet.address.toLowerCase() }]);
      expect(rpc.to(empty.address)).to.deep.equal([{ method: "eth_call", to: empty.address.toLowerCase() }]);
      expect(rpc.to(stack.lens.target).map((r) => r.method)).to.include("eth_call");
      expect(rpc.to(created.address).map((r) => r.method)).to.include("eth_sendTransaction");
      expect(rpc.to(foreign.address).map((r) => r.method)).to.not.include.members(["eth_estimateGas", "eth_sendTransaction"]);
    });

    it("waits, and says so, when the action's max fee is below the base fee; --max-fee is validated", async () => {
      const { created, stack, keeper, market } = await loadFixture(depositedWorld);
      await advanceTime(3600, market);
      await setMarketPrice(market, 2200);
      const { value: run, rpc } = await whileRecording(() => keeperRun({ registry: stack.registry.target, lens: stack.lens.target, signer: keeper.address, maxFee: "band=0" }));
      expect(run.result[0].actions).to.have.length(1);
      expect(run.result[0].actions[0]).to.include({ action: "ReleverBand", ok: false });
      expect(run.result[0].actions[0].waiting).to.match(/^the band max fee 0 gwei is below the base fee [\d.]+ gwei$/);
      expect(run.output).to.match(/rebalance\(\) ReleverBand waits: the band max fee 0 gwei is below the base fee/);
      expect(rpc.seen.map((r) => r.method)).to.not.include("eth_sendTransaction");
      expect((await created.vault.trigger()).action).to.equal(Action.ReleverBand);
      await expect(keeperRun({ registry: stack.registry.target, signer: keeper.address, maxFee: "band=80,health=60" })).to.be.rejectedWith(
        /^--max-fee: caps must not decrease with urgency \(band <= health <= stop <= ripcord\): health < band$/,
      );
    });

    it("without the keeper role, pulls the ripcord once HF is below critical", async () => {
      const { created, stack, stranger, market } = await loadFixture(depositedWorld);
      await advanceTime(3600, market);
      await setMarketPrice(market, 1700); // -15% at 3x: HF ~1.06, below the 1.08 critical level, above the 1500 stop
      const critical = (await created.vault.automationConfig()).criticalHealthFactor;
      expect((await created.vault.position()).healthFactor).to.be.lt(critical).and.gt(WAD);
      const wethBefore = await market.weth.balanceOf(stranger.address);

      const { result, output } = await keeperRun({ registry: stack.registry.target, lens: stack.lens.target, signer: stranger.address });
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

    it("without the keeper role, runs the health deleverage between the critical HF and the floor (anyone's)", async () => {
      const { created, stack, stranger, market } = await loadFixture(depositedWorld);
      await advanceTime(3600, market);
      await setMarketPrice(market, 1760); // -12% at 3x: HF ~1.10, under the 1.15 floor, above the 1.08 critical level
      const critical = (await created.vault.automationConfig()).criticalHealthFactor;
      const { healthFactor } = await created.vault.position();
      expect(healthFactor).to.be.gt(critical).and.lt((await created.vault.leverageConfig()).minHealthFactor);
      expect(actionName((await created.vault.trigger()).action)).to.equal("DeleverHealth");

      const { result } = await keeperRun({ registry: stack.registry.target, lens: stack.lens.target, signer: stranger.address });
      expect(result[0].actions.map((a) => [a.call, a.action, a.ok])).to.deep.include(["rebalance", "DeleverHealth", true]);
      expect(result[0].actions.some((a) => a.call === "ripcord")).to.equal(false);
      expect((await created.vault.position()).healthFactor).to.be.gt(healthFactor);
    });

    it("logs a vault whose trigger() fails in the lens (stale feed), error decoded, and still services the others", async () => {
      const { created, stack, keeper, market, owner } = await loadFixture(depositedWorld);
      // A second factory on the same registry, whose vaults read their own ETH/USD feed.
      const Feed = await hre.ethers.getContractFactory("contracts/test/MockAggregator.sol:MockAggregator", owner);
      const feed = (await Feed.deploy(8, "ETH / USD (second)", toPriceE8(2000))) as unknown as MockAggregator;
      const markets = localMarketAddresses(market);
      const oracle = { ...localOracleConfig(market), collateralFeed: feed.target };
      const module = await deployModule(hre.ethers, markets, oracle, owner);
      const Factory = await hre.ethers.getContractFactory("VaultFactory", owner);
      const encoded = encodeMarkets("aave", markets);
      const factory = (await Factory.deploy(encoded, oracle, module.target, stack.registry.target, await stack.factory.DEPLOYER())) as unknown as VaultFactory;
      await (await stack.registry.setFactory(factory.target, true)).wait();
      const broken = await createVault(hre.ethers, factory, owner, { settings: SETTINGS_3X, keepers: [keeper.address] });
      expect(await stack.registry.vaultCount()).to.equal(2n);

      await advanceTime(3600, market); // refreshes the market's feeds, not the second one: it goes stale
      await setMarketPrice(market, 2200);
      await expect(broken.vault.trigger()).to.be.revertedWithCustomError(broken.vault, "OracleStale");
      const selector = broken.vault.interface.getError("OracleStale")!.selector;

      const { result, output } = await keeperRun({ registry: stack.registry.target, lens: stack.lens.target, signer: keeper.address });
      const [pass] = result;
      expect(pass).to.include({ scanned: 2, via: "lens", due: 1 });
      // The lens keeps only the selector: the failed vault's trigger() is read again and decoded with its arguments.
      const [, , , updatedAt] = await feed.latestRoundData();
      const decoded = `OracleStale(feed=${feed.target}, updatedAt=${updatedAt} (${new Date(Number(updatedAt) * 1000).toISOString().replace(".000Z", "Z")}), heartbeat=3600)`;
      expect(pass.failures).to.deep.equal([{ vault: broken.address, error: decoded, selector }]);
      expect(pass.actions.map((a) => [a.vault, a.action, a.ok])).to.deep.equal([[created.address, "ReleverBand", true]]);
      expect(output).to.include(`skipped: ${decoded} [${selector}]`);
      expect(output).to.include("1 unreadable");
    });

    it("simulates before sending: a call the next block would refuse is logged, not sent", async () => {
      const { created, stack, keeper, market } = await loadFixture(depositedWorld);
      await advanceTime(3600, market);
      await setMarketPrice(market, 2200);
      // The feed goes stale exactly one second after the latest block: the lens (latest block) still sees a fresh
      // price and a due re-lever, the block the transaction would land in does not.
      const updatedAt = (await market.ethUsdFeed.latestRoundData())[3];
      await time.increaseTo(updatedAt + 3600n);
      const [, , [decision]] = await stack.lens.scan(stack.registry.target, 0, 1);
      expect([decision.needed, decision.action]).to.deep.equal([true, Action.ReleverBand]);
      await expect(created.vault.trigger({ blockTag: "pending" })).to.be.revertedWithCustomError(created.vault, "OracleStale");

      const { value: run, rpc } = await whileRecording(() => keeperRun({ registry: stack.registry.target, lens: stack.lens.target, signer: keeper.address }));
      const [pass] = run.result;
      expect(pass.actions).to.have.length(1);
      expect(pass.actions[0]).to.include({ vault: created.address, call: "rebalance", ok: false, notSent: true });
      expect(pass.actions[0].error).to.match(/^OracleStale\(/);
      expect(rpc.seen.map((r) => r.method)).to.not.include("eth_sendTransaction");
      expect(run.output).to.match(/rebalance\(\) ReleverBand not sent: simulation reverted OracleStale\(/);
      expect(run.output).to.include("0 action(s) done, 1 refused");
    });

    it("a guard that blocks an action (pool off the oracle) makes the trigger report it not needed: nothing is sent", async () => {
      const { created, stack, keeper, market } = await loadFixture(depositedWorld);
      await advanceTime(3600, market);
      await (await market.ethUsdFeed.setAnswer(toPriceE8(2200))).wait(); // the feed moves, the pool stays at 2000
      const due = await created.vault.trigger();
      expect([due.needed, due.action]).to.deep.equal([false, Action.ReleverBand]);
      await expect(created.vault.connect(keeper).rebalance.staticCall()).to.be.revertedWithCustomError(created.vault, "KeeperDexDeviation");
      const debtBefore = (await created.vault.position()).debt;

      const { result } = await keeperRun({ registry: stack.registry.target, lens: stack.lens.target, signer: keeper.address });
      expect(result[0].actions).to.have.length(0);
      expect((await created.vault.position()).debt - debtBefore).to.be.lt(10n ** 6n); // interest only
    });

    it("pokes a trailing stop's high-water mark once the price is a tenth of the trail above it, then rests", async () => {
      const { created, stack, keeper, market, owner } = await loadFixture(depositedWorld);
      const { vault } = created;
      await (await vault.connect(owner).setExitConfig({ ...plain(await vault.exitConfig()), trailBps: 1000 })).wait();
      expect((await vault.automationState()).highWaterMark).to.equal(2000n * WAD); // from the deposit
      await advanceTime(3600, market);
      await setMarketPrice(market, 2030); // > 2000 * (1 + 1000 / 10 / 1e4) = 2020; leverage still inside the band
      expect((await vault.trigger()).action).to.equal(Action.Poke);

      const first = await keeperRun({ registry: stack.registry.target, lens: stack.lens.target, signer: keeper.address });
      expect(first.result[0]).to.include({ due: 1 });
      expect(first.result[0].actions.map((a) => [a.vault, a.call, a.action, a.ok])).to.deep.equal([
        [created.address, "rebalance", "Poke", true],
      ]);
      expect(first.result[0].actions[0].highWaterMark).to.equal(2030n * WAD);
      expect((await vault.automationState()).highWaterMark).to.equal(2030n * WAD);
      expect(first.output).to.match(/rebalance\(\) Poke: gas [\d,]+, high-water mark raised to 2,030 \(tx 0x/);

      const second = await keeperRun({ registry: stack.registry.target, lens: stack.lens.target, signer: keeper.address });
      expect(second.result[0]).to.include({ scanned: 1, due: 0 });
      expect(second.result[0].actions).to.deep.equal([]);
      expect(second.output).to.include("pass: 1 vault(s), 0 action(s) done");
      expect((await vault.automationState()).highWaterMark).to.equal(2030n * WAD);
    });

    it("takes the lens from the deployment record of this registry, else falls back to per-vault trigger() calls", async () => {
      const { created, stack, keeper, market } = await loadFixture(depositedWorld);
      await advanceTime(3600, market);
      await setMarketPrice(market, 2200);

      // No record: the fallback, said in the log, does the same work.
      const fallback = await keeperRun({ registry: stack.registry.target, signer: keeper.address });
      expect(fallback.output).to.include("no KeeperLens given (--lens) or recorded for this registry");
      expect(fallback.output).to.include("falling back to one trigger() call per vault");
      expect(fallback.result[0]).to.include({ scanned: 1, via: "trigger", due: 1 });
      expect(fallback.result[0].actions.map((a) => [a.vault, a.action, a.ok])).to.deep.equal([[created.address, "ReleverBand", true]]);

      // A record for another registry is not used; one for this registry is.
      const record = (registry: string): DeploymentRecord =>
        ({ network: hre.network.name, chainId: 31337, registry, lens: stack.lens.target as string }) as DeploymentRecord;
      const file = writeDeploymentRecord(record(stack.factory.target as string));
      const other = await keeperRun({ registry: stack.registry.target, signer: keeper.address });
      expect(other.result[0].via).to.equal("trigger");
      writeDeploymentRecord(record(stack.registry.target as string));
      const recorded = await keeperRun({ registry: stack.registry.target, signer: keeper.address });
      expect(recorded.output).to.include(`scanning through KeeperLens ${stack.lens.target} (from ${file}`);
      expect(recorded.result[0]).to.include({ scanned: 1, via: "lens", scanCalls: 1, due: 0 });
      fs.rmSync(file);

      // --lens must be a lens.
      await expect(
        keeperRun({ registry: stack.registry.target, lens: stack.registry.target, signer: keeper.address }),
      ).to.be.rejectedWith(/no KeeperLens at/);
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
      await acceptPending(created.vault, market); // a smaller trade size waits out the timelock (ROLE-2)
      for (const price of [1900, 1800, 1700, 1600]) {
        await advanceTime(3600, market);
        await setMarketPrice(market, price);
        await keeperRun({ registry: stack.registry.target, lens: stack.lens.target, signer: keeper.address });
      }
      await advanceTime(3600, market);
      await setMarketPrice(market, 1450);
      expect((await created.vault.trigger()).action).to.equal(Action.StopLoss);
      const { result } = await keeperRun({ registry: stack.registry.target, lens: stack.lens.target, signer: keeper.address });
      const stops = result[0].actions.filter((a) => a.action === "StopLoss" && a.ok);
      expect(stops.length).to.be.gte(2);
      expect(result[0].actions.every((a) => a.ok)).to.equal(true);
      expect((await created.vault.position()).debt).to.equal(0n);
      expect((await created.vault.trigger()).needed).to.equal(false);
    });
  });
});
