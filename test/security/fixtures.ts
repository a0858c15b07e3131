/**
 * World states and helpers shared by the security regression tests (issue 8). One named fixture per world state,
 * so loadFixture deploys each once and reverts to its snapshot afterwards.
 */
import { MaxUint256, parseEther, parseUnits, type Contract } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers, network } from "hardhat";
import { vault3x, type VaultWorld } from "../shared/vault";
import { connectAs, fund, oraclePriceE8, setMarketPrice, swapPoolTo } from "../shared/market-helpers";
import { priceE8ToSqrtX96 } from "../shared/market";
import { WAD, deployProbe } from "../shared/vault-helpers";

/** Two holders of 50 WETH each at 3x (finding 1). */
export async function twoHolders3x(): Promise<VaultWorld> {
  const w = await vault3x();
  await (await w.vault.connect(w.alice)["deposit(uint256,address)"](parseEther("50"), w.alice.address)).wait();
  await (await w.vault.connect(w.bob)["deposit(uint256,address)"](parseEther("50"), w.bob.address)).wait();
  return w;
}

/** A 1,000 WETH vault at 3x (alice 600, bob 400), then ETH +5% (feed and pools): leverage ~2.74x, in the band. */
export async function bigVaultAfterRally(): Promise<VaultWorld> {
  return rally(await vault3x());
}

/** The same, the attacker (`stranger`) having deposited 10 WETH first, at 3x, before the rally. */
export async function bigVaultAfterRallyAttackerIn(): Promise<VaultWorld> {
  const w = await vault3x();
  await fund(w.market, w.stranger.address, { weth: parseEther("10") });
  await (await w.market.weth.connect(w.stranger).getFunction("approve")(w.vault.target, MaxUint256)).wait();
  await (await w.vault.connect(w.stranger)["deposit(uint256,address)"](parseEther("10"), w.stranger.address)).wait();
  await swapPoolTo(w.market, w.market.uniPool500, await oraclePriceE8(w.market));
  return rally(w);
}

async function rally(w: VaultWorld): Promise<VaultWorld> {
  const price = await oraclePriceE8(w.market);
  // In 100 WETH steps, the pool arbitraged back to the oracle after each (one 600 WETH deposit would move it >1%).
  for (const holder of [w.alice, w.alice, w.alice, w.alice, w.alice, w.alice, w.bob, w.bob, w.bob, w.bob]) {
    await (await w.vault.connect(holder)["deposit(uint256,address)"](parseEther("100"), holder.address)).wait();
    await swapPoolTo(w.market, w.market.uniPool500, price);
  }
  await setMarketPrice(w.market, (price * 105n) / 100n);
  return w;
}

/** Oracle value (WETH wei) of what `who` holds in WETH and USDC, at the current feed answers. */
export async function walletValue(w: VaultWorld, who: string): Promise<bigint> {
  const [weth, usdc, eth, usd] = await Promise.all([
    w.market.weth.balanceOf(who) as Promise<bigint>,
    w.market.usdc.balanceOf(who) as Promise<bigint>,
    w.market.ethUsdFeed.latestAnswer() as Promise<bigint>,
    w.market.usdcUsdFeed.latestAnswer() as Promise<bigint>,
  ]);
  return weth + (usdc * usd * 10n ** 12n) / eth;
}

/** Oracle value (WETH wei) of `who`'s vault shares (convertToAssets: the holder's slice of the NAV). */
export async function shareValue(w: VaultWorld, who: string): Promise<bigint> {
  return w.vault.convertToAssets(await w.vault.balanceOf(who));
}

/** `signer` sells `amountIn` of `tokenIn` in the 0.05% pool (no limit). */
export async function sell(w: VaultWorld, signer: HardhatEthersSigner, tokenIn: Contract, amountIn: bigint) {
  const { market } = w;
  const tokenOut = tokenIn.target === market.weth.target ? market.usdc : market.weth;
  await (await connectAs(tokenIn, signer).approve(market.swapRouter.target, MaxUint256)).wait();
  await (
    await connectAs(market.swapRouter, signer).exactInputSingle({
      tokenIn: tokenIn.target,
      tokenOut: tokenOut.target,
      fee: market.fees.uniswapLow,
      recipient: signer.address,
      deadline: MaxUint256,
      amountIn,
      amountOutMinimum: 0n,
      sqrtPriceLimitX96: 0n,
    })
  ).wait();
}

/** Funds an attacker with WETH and USDC for pool pushes (raw units) and approves the vault and the router. */
export async function armAttacker(w: VaultWorld, who: HardhatEthersSigner) {
  const { market } = w;
  await fund(market, who.address, { weth: parseEther("2000"), usdc: parseUnits("5000000", 6) });
  await (await market.weth.connect(who).getFunction("approve")(w.vault.target, MaxUint256)).wait();
  for (const token of [market.weth, market.usdc]) {
    await (await token.connect(who).getFunction("approve")(market.swapRouter.target, MaxUint256)).wait();
  }
}

const GAS = { gasLimit: 8_000_000n };

/**
 * Sends (does not wait for) `signer`'s swap in the 0.05% pool up to the price `priceE8`, spending up to all of the
 * token sold (the router pulls only what is used). For bundles mined in one block (`oneBlock`).
 */
export async function sendSwapTo(w: VaultWorld, signer: HardhatEthersSigner, priceE8: bigint, fromPriceE8: bigint) {
  const { market } = w;
  const target = priceE8ToSqrtX96(priceE8, market.wethIsToken0);
  const wethIn = priceE8 < fromPriceE8; // selling WETH lowers its price
  const [tokenIn, tokenOut] = (wethIn ? [market.weth, market.usdc] : [market.usdc, market.weth]) as Contract[];
  return connectAs(market.swapRouter, signer).exactInputSingle(
    {
      tokenIn: tokenIn.target,
      tokenOut: tokenOut.target,
      fee: market.fees.uniswapLow,
      recipient: signer.address,
      deadline: MaxUint256,
      amountIn: (await tokenIn.balanceOf(signer.address)) as bigint,
      amountOutMinimum: 0n,
      sqrtPriceLimitX96: target,
    },
    GAS,
  );
}

/**
 * Mines the transactions `send` sends in one block, in order (automine off meanwhile); returns whether each
 * succeeded. A bundle like an attacker's: nobody can act between its transactions.
 */
export async function oneBlock(send: () => Promise<Array<Promise<{ hash: string }>>>): Promise<boolean[]> {
  await network.provider.send("evm_setAutomine", [false]);
  let hashes: string[];
  try {
    hashes = [];
    for (const tx of await send()) hashes.push((await tx).hash);
    await network.provider.send("evm_mine", []);
  } finally {
    await network.provider.send("evm_setAutomine", [true]);
  }
  const receipts = await Promise.all(hashes.map((h) => ethers.provider.getTransactionReceipt(h)));
  return receipts.map((r) => r?.status === 1);
}

export const gas = GAS;

export const relDiff = (a: bigint, b: bigint) => Number(((a > b ? a - b : b - a) * WAD) / (b === 0n ? 1n : b)) / 1e18;

/** alice alone holds a 100 WETH deposit at 3x (holders of any fraction are made by share transfers). */
export async function soleHolder3x(): Promise<VaultWorld> {
  const w = await vault3x();
  await (await w.vault.connect(w.alice)["deposit(uint256,address)"](parseEther("100"), w.alice.address)).wait();
  return w;
}

/** What anyone can send the vault without its consent (issue 8 #2, EXIT-1). Amounts in raw units. */
export type Dust =
  | { kind: "usdc"; amount: bigint } // debt asset transferred
  | { kind: "weth"; amount: bigint } // collateral transferred
  | { kind: "aweth"; amount: bigint } // collateral supplied on Aave on behalf of the vault
  | { kind: "repay"; amount: bigint }; // part of the vault's variable debt repaid on its behalf

export const describeDust = (d: Dust) => `${d.amount} raw ${d.kind}`;

/** `from` (funded here) sends the vault `d`. */
export async function sendDust(w: VaultWorld, from: HardhatEthersSigner, d: Dust): Promise<void> {
  const { market, vault } = w;
  const pool = market.pool.connect(from);
  if (d.kind === "usdc") {
    await fund(market, from.address, { usdc: d.amount });
    await (await market.usdc.connect(from).getFunction("transfer")(vault.target, d.amount)).wait();
  } else if (d.kind === "weth") {
    await fund(market, from.address, { weth: d.amount });
    await (await market.weth.connect(from).getFunction("transfer")(vault.target, d.amount)).wait();
  } else if (d.kind === "aweth") {
    await fund(market, from.address, { weth: d.amount });
    await (await market.weth.connect(from).getFunction("approve")(market.pool.target, d.amount)).wait();
    await (await pool.supply(market.weth.target, d.amount, vault.target, 0)).wait();
  } else {
    await fund(market, from.address, { usdc: d.amount });
    await (await market.usdc.connect(from).getFunction("approve")(market.pool.target, d.amount)).wait();
    await (await pool.repay(market.usdc.target, d.amount, 2, vault.target)).wait();
  }
}

/** The revert reason of a failed call, short (custom error name and args when decodable). */
export function reason(e: unknown): string {
  const err = e as { message?: string; shortMessage?: string };
  const text = err.shortMessage ?? err.message ?? String(e);
  const custom = /reverted with custom error '([^']+)'/.exec(text);
  if (custom) return custom[1];
  return text.split("\n")[0].slice(0, 160);
}

/** Runs `f`, returning undefined on success or the revert reason. */
export async function attempt(f: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await f();
    return undefined;
  } catch (e) {
    return reason(e);
  }
}

/** What a preview check needs of VaultPreviewProbe: the preview and the result of its last action. */
interface PreviewProbe {
  previewed(): Promise<bigint>;
  actual(): Promise<bigint>;
}

/**
 * Checks of a VaultPreviewProbe action against its preview in the same transaction, each on a snapshot restored
 * afterwards: `check` records in `failures` a revert (unless `mayRevert`) or `ok(previewed, actual)` false; `before`
 * runs first on the snapshot (e.g. the pool pushed against the caller).
 */
export function previewChecks(probe: PreviewProbe) {
  const failures: string[] = [];
  const check = async (
    name: string,
    mayRevert: boolean,
    run: () => Promise<{ wait: () => Promise<unknown> }>,
    ok: (previewed: bigint, actual: bigint) => boolean,
    before?: () => Promise<unknown>,
  ) => {
    const snapshot = await takeSnapshot();
    await before?.();
    const failure = await attempt(async () => (await run()).wait());
    if (failure) {
      if (!mayRevert) failures.push(`${name} reverted: ${failure}`);
    } else {
      const [p, a] = [await probe.previewed(), await probe.actual()];
      if (!ok(p, a)) failures.push(`${name}: preview ${p}, actual ${a}`);
    }
    await snapshot.restore();
  };
  return { failures, check };
}

/**
 * Fixes the next block's timestamp (latest + 1) and returns the call overrides that read a view in that block
 * ("pending" uses the next timestamp): a max* / preview* read this way applies to the transaction sent next.
 */
export async function nextBlock(): Promise<{ blockTag: "pending" }> {
  await time.setNextBlockTimestamp((await time.latest()) + 1);
  return { blockTag: "pending" };
}

/** twoHolders3x plus a preview probe (same-transaction preview vs action) holding ~150 WETH of shares and 200 WETH. */
export async function probeWorld() {
  const w = await twoHolders3x();
  const probe = await deployProbe(w, parseEther("350"));
  const price = await oraclePriceE8(w.market);
  for (let i = 0; i < 2; i++) {
    await (await probe.deposit(parseEther("75"))).wait();
    await swapPoolTo(w.market, w.market.uniPool500, price);
  }
  return { ...w, probe };
}
