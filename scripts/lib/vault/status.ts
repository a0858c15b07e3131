/**
 * A vault's status, read through its public ABI (ILeveredVault, TypeChain) and returned both as data and as the lines
 * `vault:status` prints: roles, position at oracle prices (or why it cannot be read), configuration, the effective
 * (volatility-aware) target and band, timelock, pending changes with the time left, keepers, automation state and
 * trigger. No Hardhat runtime: any ethers provider will do (a dashboard can call it).
 */
import { Contract, ZeroAddress, type Provider } from "ethers";
import type { ILeveredVault } from "../../../typechain-types";
import { actionName, decodeError, describeError, hf, lev, modeName, table, units, usd } from "../util/format";
import { describePending, duration, keeperSet, pendingChanges, pendingValidity, type PendingChange } from "./governance";
import { exposureOf, exposureText } from "../deploy/presets";

const WAD = 10n ** 18n;

const structObjectOf = (c: { multiplierBps: bigint; gasTokenIsDebt: boolean; maxGasPrice: bigint; maxPerAction: bigint; maxPerDay: bigint }) => ({
  multiplierBps: c.multiplierBps,
  gasTokenIsDebt: c.gasTokenIsDebt,
  maxGasPrice: c.maxGasPrice,
  maxPerAction: c.maxPerAction,
  maxPerDay: c.maxPerDay,
});

export interface StatusResult {
  /** Undefined when the oracle (or anything priced) cannot be read. */
  position?: Awaited<ReturnType<ILeveredVault["position"]>>;
  totalAssets?: bigint;
  totalSupply: bigint;
  sharePrice?: bigint;
  trigger?: { needed: boolean; action: bigint };
  mode: bigint;
  /** effectiveTargetLeverage() (wad): what keepers and deposits aim for now. */
  effectiveTarget?: bigint;
  /** The band the automation applies around the effective target (wad). */
  effectiveBand?: { min: bigint; max: bigint };
  /** Seconds a loosening change waits. */
  timelock: number;
  pending?: PendingChange[];
  keepers?: string[];
  /** Why the priced reads failed, one line (e.g. the oracle is stale, since when). */
  unavailable?: string;
  oracleStale?: { feed: string; updatedAt: bigint; heartbeat: bigint; staleSince: bigint };
  account?: { address: string; shares: bigint; assets?: bigint };
  /** Per unit of equity at the current leverage, in words (e.g. "-1.00x ETH" for a 2x short). */
  exposure?: string;
  /**
   * The carry of the position, % a year on equity, from the lending market's rates (Aave, when its pool is known):
   * what the collateral earns (supply rate) and the debt costs (variable borrow rate), and for a staked-ETH loop the
   * staking yield at which the loop breaks even.
   */
  carry?: { supplyApr: number; borrowApr: number; netApr: number; breakEvenStakingApr?: number };
  /** Fees (issue 21): settings, what the recipient holds, and what is due now (minted at the next interaction). */
  fees?: {
    recipient: string;
    managementFeeBps: bigint;
    performanceFeeBps: bigint;
    lastAccrual: bigint;
    feeSharePriceMark: bigint;
    recipientShares: bigint;
    recipientAssets?: bigint;
    dueShares?: bigint;
    dueAssets?: bigint;
  };
  /** Keeper pay (issue 21): settings and today's budget. */
  keeperPay?: {
    multiplierBps: bigint;
    gasTokenIsDebt: boolean;
    maxGasPrice: bigint;
    maxPerAction: bigint;
    maxPerDay: bigint;
    paidToday: bigint;
    /** The gas token's own USD feed, when set (`setGasTokenFeed`): it prices the gas instead of a leg. */
    gasTokenFeed?: string;
  };
}

/** Aave V3 pool: the reserve's current rates (ray, a year). */
const AAVE_RATES_ABI = [
  "function getReserveData(address) view returns ((uint256 configuration, uint128 liquidityIndex, uint128 currentLiquidityRate, uint128 variableBorrowIndex, uint128 currentVariableBorrowRate, uint128 currentStableBorrowRate, uint40 lastUpdateTimestamp, uint16 id, address aTokenAddress, address stableDebtTokenAddress, address variableDebtTokenAddress, address interestRateStrategyAddress, uint128 accruedToTreasury, uint128 unbacked, uint128 isolationModeTotalDebt))",
];

/**
 * Carry at leverage L (% a year on equity): L x supply rate - (L - 1) x borrow rate; a staked-ETH loop also earns
 * L x the staking yield, so it breaks even at a yield of ((L - 1) x borrow - L x supply) / L.
 */
async function carryOf(vault: ILeveredVault, provider: Provider, aavePool: string | undefined, leverage: number, loop: boolean) {
  const { supplyApr, borrowApr } = await venueAprs(vault, provider, aavePool);
  const netApr = leverage * supplyApr - (leverage - 1) * borrowApr;
  return { supplyApr, borrowApr, netApr, breakEvenStakingApr: loop ? Math.max(0, -netApr / leverage) : undefined };
}

/**
 * The venue's rates (% a year) from the vault itself (`venueRates`: the venue it runs on now, a refinanced vault's
 * included), else, for a vault without that view, from the Aave pool given.
 */
async function venueAprs(vault: ILeveredVault, provider: Provider, aavePool: string | undefined) {
  try {
    const [supply, borrow] = await vault.venueRates();
    return { supplyApr: Number(supply) / 1e16, borrowApr: Number(borrow) / 1e16 };
  } catch (error) {
    if (!aavePool) throw error;
  }
  const pool = new Contract(aavePool, AAVE_RATES_ABI, provider);
  const [collateral, debt] = await Promise.all([vault.asset(), vault.debtAsset()].map(async (a) => pool.getReserveData(await a)));
  return { supplyApr: Number(collateral.currentLiquidityRate) / 1e25, borrowApr: Number(debt.currentVariableBorrowRate) / 1e25 };
}

const YEAR = 365n * 86_400n;
const SHARE_OFFSET = 10n ** 6n;

/**
 * Fee shares due at `now` given the view `totalSupply` (which already counts them) and `totalAssets`: the supply
 * actually minted is found by fixed point on the vault's own formula (ILeverageVault.accrueFee), two or three steps.
 */
export function dueFeeShares(
  totalSupply: bigint,
  totalAssets: bigint,
  fees: { managementFeeBps: bigint; performanceFeeBps: bigint; lastAccrual: bigint; feeSharePriceMark: bigint },
  now: bigint,
): bigint {
  if ((fees.managementFeeBps === 0n && fees.performanceFeeBps === 0n) || fees.lastAccrual >= now) return 0n;
  const a = totalAssets + 1n;
  let due = 0n;
  for (let i = 0; i < 8; i++) {
    const s = totalSupply - due + SHARE_OFFSET;
    const price = (a * WAD) / s;
    let fee = (a * fees.managementFeeBps * (now - fees.lastAccrual)) / (10_000n * YEAR);
    if (price > fees.feeSharePriceMark) fee += ((price - fees.feeSharePriceMark) * s * fees.performanceFeeBps) / (WAD * 10_000n);
    if (fee > a - 1n) fee = a - 1n;
    const next = (fee * s) / (a - fee);
    if (next === due) break;
    due = next;
  }
  return due;
}

/** A read that may fail (a stale oracle makes every priced view revert): its value or its error. */
type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T>(p: Promise<T>): Promise<Settled<T>> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error) => ({ ok: false as const, error }),
  );

export interface StatusTokens {
  assetSymbol: string;
  assetDecimals: number;
  debtSymbol: string;
  debtDecimals: number;
  shareDecimals: number;
}

/** A read status cannot go without: its failure is thrown as one line. */
async function read<T>(what: string, get: () => Promise<T>, iface?: ILeveredVault["interface"]): Promise<T> {
  try {
    return await get();
  } catch (error) {
    throw new Error(`${what} failed: ${describeError(error, iface)}`);
  }
}

/**
 * Reads the status of `vault` (connected to `provider`) and the lines to print. `account`: also that holder's shares
 * and their value. `keepersFromBlock`: where KeeperSet events are read from.
 */
export async function vaultStatus(
  vault: ILeveredVault,
  provider: Provider,
  tokens: StatusTokens,
  opts: { network?: string; account?: string; keepersFromBlock?: number; aavePool?: string } = {},
): Promise<{ result: StatusResult; lines: string[] }> {
  const { assetSymbol, assetDecimals, debtSymbol, debtDecimals, shareDecimals } = tokens;
  const network = opts.network ?? "unknown";
  const keepersFromBlock = opts.keepersFromBlock ?? 0;
  const lines: string[] = [];
  const out = (line: string) => lines.push(line);
    const iface = vault.interface;
    // Configuration and roles need no price: read them first, they are printed even when the oracle is stale.
    const [name, symbol, totalSupply, leverage, execution, automation, exits, state, owner, manager, guardian, paused] = await read(
      "reading the vault's configuration",
      () =>
        Promise.all([
          vault.name(),
          vault.symbol(),
          vault.totalSupply(),
          vault.leverageConfig(),
          vault.executionConfig(),
          vault.automationConfig(),
          vault.exitConfig(),
          vault.automationState(),
          vault.owner(),
          vault.manager(),
          vault.guardian(),
          vault.depositsPaused(),
        ]),
      iface,
    );
    const [position, totalAssets, trig, sharePrice] = await Promise.all([
      settle(vault.position()),
      settle(vault.totalAssets()),
      settle(vault.trigger()),
      totalSupply === 0n ? Promise.resolve({ ok: true as const, value: 0n }) : settle(vault.convertToAssets(10n ** BigInt(shareDecimals))),
    ]);
    const price = (x: bigint) => (x === 0n ? "off" : `${units(x, 18, 2)} ${debtSymbol}/${assetSymbol}`);
    const bps = (x: bigint) => `${Number(x) / 100}%`;
    const now = (await read("reading the latest block", () => provider.getBlock("latest")))!.timestamp;
    const [effective, timelock, validity] = await Promise.all([settle(vault.effectiveTargetLeverage()), read("timelock()", () => vault.timelock(), iface), pendingValidity(vault)]);
    const [pending, keepers] = await Promise.all([settle(pendingChanges(vault, now, validity)), settle(keeperSet(vault, keepersFromBlock))]);
    const readyAt = Number(state.lastRebalanceAt) + Number(automation.cooldown);
    const result: StatusResult = { totalSupply, mode: state.mode, timelock: Number(timelock) };

    out(`${name} (${symbol}) at ${vault.target} on '${network}'`);
    out(`  roles: owner ${owner}, manager ${manager}, guardian ${guardian}; deposits ${paused ? "PAUSED" : "open"}`);
    out("\nPosition (oracle prices)");
    if (position.ok && totalAssets.ok && sharePrice.ok) {
      const p = position.value;
      Object.assign(result, { position: p, totalAssets: totalAssets.value, sharePrice: sharePrice.value });
      out(
        table(
          ["", "value"],
          [
            ["price", `${units(p.price, 18, 2)} ${debtSymbol}/${assetSymbol}`],
            ["collateral supplied", `${units(p.collateral, assetDecimals)} ${assetSymbol}`],
            ["debt", `${units(p.debt, debtDecimals, 2)} ${debtSymbol}`],
            ["idle", `${units(p.idleCollateral, assetDecimals)} ${assetSymbol} + ${units(p.idleDebtAsset, debtDecimals, 2)} ${debtSymbol}`],
            ["equity", usd(p.equityValue)],
            ["leverage", lev(p.leverage)],
            ["exposure per unit of equity", (result.exposure = exposureText(exposureOf(assetSymbol, debtSymbol), Number(p.leverage) / 1e18))],
            ["health factor", hf(p.healthFactor)],
            ["NAV (totalAssets)", `${units(totalAssets.value, assetDecimals)} ${assetSymbol}`],
            ["shares", units(totalSupply, shareDecimals)],
            ["share price", `${units(sharePrice.value, assetDecimals, 6)} ${assetSymbol}`],
          ],
        ),
      );
      // The carry on the venue the vault runs on now (a refinanced vault's new venue included).
      const loop = exposureOf(assetSymbol, debtSymbol).reference === "wstETH/ETH";
      const carry = await settle(carryOf(vault, provider, opts.aavePool, Number(p.leverage) / 1e18, loop));
      if (carry.ok) {
        const c = (result.carry = carry.value);
        const pct = (x: number) => `${x.toFixed(2)}%`;
        out(
          `  carry: ${pct(c.netApr)} a year on equity (${assetSymbol} supply ${pct(c.supplyApr)}, ${debtSymbol} borrow ${pct(c.borrowApr)})` +
            (c.breakEvenStakingApr !== undefined
              ? `, plus ${lev(p.leverage)} x the staking yield: the loop loses money below a staking yield of ${pct(c.breakEvenStakingApr)}`
              : ""),
        );
      } else {
        out(`  carry: unavailable (${describeError(carry.error)})`);
      }
    } else {
      const error = [position, totalAssets, sharePrice].find((r) => !r.ok)!.error;
      const decoded = decodeError(error, iface);
      result.unavailable = describeError(error, iface);
      if (decoded?.name === "OracleStale") {
        const [feed, updatedAt, heartbeat] = decoded.args.map((a) => a.value) as [string, bigint, bigint];
        const staleSince = updatedAt + heartbeat;
        result.oracleStale = { feed, updatedAt, heartbeat, staleSince };
        const description = await new Contract(feed, ["function description() view returns (string)"], provider)
          .description()
          .then((d: string) => `${d} `)
          .catch(() => "");
        const at = (t: bigint) => new Date(Number(t) * 1000).toISOString().replace(".000Z", "Z");
        result.unavailable =
          `oracle STALE: feed ${description}(${feed}) last answered at ${at(updatedAt)}, heartbeat ${heartbeat} s: ` +
          `stale since ${at(staleSince)} (${duration(now - Number(staleSince))} ago)`;
      }
      out(`  unavailable: ${result.unavailable}`);
      out(`  shares: ${units(totalSupply, shareDecimals)}; deposits, exits and keeper actions wait for a fresh price`);
    }
    out("\nConfiguration");
    out(
      `  leverage: target ${lev(leverage.targetLeverage)}, band ${lev(leverage.minLeverage)}-${lev(leverage.maxLeverage)}, ` +
        `HF floor ${hf(leverage.minHealthFactor)}`,
    );
    if (effective.ok) {
      const target = effective.value.target;
      result.effectiveTarget = target;
      const scaled = state.mode === 0n && target < leverage.targetLeverage;
      const lo = scaled ? (leverage.minLeverage * target) / leverage.targetLeverage : leverage.minLeverage;
      const min = lo < WAD ? WAD : lo;
      const max = scaled ? (leverage.maxLeverage * target) / leverage.targetLeverage : leverage.maxLeverage;
      result.effectiveBand = { min, max };
      const why =
        effective.value.sigmaPerSqrtSecond > 0n
          ? `volatility-aware: the feed's realised volatility ${((Number(effective.value.sigmaPerSqrtSecond) / 1e18) * Math.sqrt(365 * 86_400) * 100).toFixed(0)}% a year; configured ${lev(leverage.targetLeverage)}`
          : state.mode !== 0n
            ? `mode ${modeName(state.mode)}`
            : "volatility rule off or calm";
      out(`  effective target now: ${lev(target)} (${why})${scaled ? `, band ${lev(min)}-${lev(max)}` : ""}: what keepers and deposits aim for`);
    } else {
      out(`  effective target now: unavailable (${describeError(effective.error, iface)})`);
    }
    out(
      `  execution: max slippage ${bps(execution.maxSlippageBps)}, Uniswap fee ${Number(execution.swapFee) / 1e4}%, ` +
        `deposit cap ${units(execution.depositCap, assetDecimals)} ${assetSymbol}`,
    );
    out(
      `  automation: ripcord below HF ${hf(automation.criticalHealthFactor)}, DEX deviation ${bps(automation.maxDexDeviationBps)}, ` +
        `max equity loss ${bps(automation.maxEquityLossBps)}, cooldown ${automation.cooldown} s, ` +
        `ripcord reward ${bps(automation.ripcordRewardBps)} (cap ${units(automation.ripcordRewardCap, assetDecimals)} ${assetSymbol}), ` +
        `max trade ${units(automation.maxTradeSize, debtDecimals, 0)} ${debtSymbol}`,
    );
    out(
      `  exits: stop-loss ${price(exits.stopLossPrice)}, take-profit ${price(exits.takeProfitPrice)} ` +
        `(keep ${lev(exits.takeProfitLeverage)}), trailing stop ${exits.trailBps === 0n ? "off" : bps(exits.trailBps)}, ` +
        `on stop ${exits.stopToDebtAsset ? `sell into ${debtSymbol}` : `hold ${assetSymbol} at 1x`}`,
    );
    out("\nGovernance");
    out(`  timelock ${duration(Number(timelock))} (loosening changes wait this long; accept within ${duration(validity)})`);
    if (pending.ok) {
      result.pending = pending.value;
      const decimals = { asset: assetDecimals, debt: debtDecimals };
      out(pending.value.length ? pending.value.map((c) => `  pending ${describePending(c, decimals)}`).join("\n") : "  no pending change");
    } else {
      out(`  pending changes: unavailable (${describeError(pending.error, iface)})`);
    }
    if (keepers.ok) {
      result.keepers = keepers.value;
      out(`  keepers: ${keepers.value.length ? keepers.value.join(", ") : "none allow-listed"}`);
    } else {
      out(`  keepers: unavailable (event logs: ${describeError(keepers.error)})`);
    }
    out("\nAutomation");
    out(
      `  mode ${modeName(state.mode)}, high-water mark ${price(state.highWaterMark)}, ` +
        `band rebalance ${readyAt > now ? `in cooldown for ${readyAt - now} s` : "allowed"}`,
    );
    if (trig.ok) {
      result.trigger = { needed: trig.value.needed, action: trig.value.action };
      const ripcord = position.ok
        ? position.value.healthFactor < automation.criticalHealthFactor
          ? "ARMED (anyone may call ripcord())"
          : "not armed"
        : "unknown";
      out(
        `  trigger: ${trig.value.needed ? `${actionName(trig.value.action)} due -> keeper calls rebalance()` : "nothing to do"}; ripcord ${ripcord}`,
      );
    } else {
      out(`  trigger: unavailable (${describeError(trig.error, iface)})`);
    }
    const [feeConfig, feeState, payConfig, payState, gasFeed] = await Promise.all([
      settle(vault.feeConfig()),
      settle(vault.feeState()),
      settle(vault.keeperPayConfig()),
      settle(vault.keeperPayState()),
      settle(vault.gasTokenFeed()),
    ]);
    out("\nFees and keeper pay");
    if (feeConfig.ok && feeState.ok) {
      const f = feeConfig.value;
      const st = feeState.value;
      const recipientShares = await read("balanceOf()", () => vault.balanceOf(f.recipient), iface);
      const recipientAssets = await settle(vault.convertToAssets(recipientShares));
      const fees: NonNullable<StatusResult["fees"]> = {
        recipient: f.recipient,
        managementFeeBps: f.managementFeeBps,
        performanceFeeBps: f.performanceFeeBps,
        lastAccrual: st.lastAccrual,
        feeSharePriceMark: st.feeSharePriceMark,
        recipientShares,
        recipientAssets: recipientAssets.ok ? recipientAssets.value : undefined,
      };
      if (totalAssets.ok) {
        fees.dueShares = dueFeeShares(
          totalSupply,
          totalAssets.value,
          { managementFeeBps: f.managementFeeBps, performanceFeeBps: f.performanceFeeBps, lastAccrual: st.lastAccrual, feeSharePriceMark: st.feeSharePriceMark },
          BigInt(now),
        );
        fees.dueAssets = totalSupply === 0n ? 0n : (fees.dueShares * (totalAssets.value + 1n)) / (totalSupply + SHARE_OFFSET);
      }
      result.fees = fees;
      const on = f.managementFeeBps !== 0n || f.performanceFeeBps !== 0n;
      out(
        `  fees: management ${bps(f.managementFeeBps)}/yr, performance ${bps(f.performanceFeeBps)} above the fee mark` +
          `${on ? ` to ${f.recipient}` : " (off)"}; last accrued ${st.lastAccrual === 0n ? "never" : `${duration(now - Number(st.lastAccrual))} ago`}`,
      );
      if (on || recipientShares > 0n) {
        const mark = st.feeSharePriceMark === 0n ? "unset" : `${units(st.feeSharePriceMark * 10n ** BigInt(shareDecimals), 18 + assetDecimals, 6)} ${assetSymbol}/share`;
        out(
          `  fees accrued: recipient holds ${units(recipientShares, shareDecimals)} shares` +
            `${fees.recipientAssets !== undefined ? ` (~${units(fees.recipientAssets, assetDecimals)} ${assetSymbol})` : ""}` +
            `${fees.dueShares !== undefined ? `; due now ${units(fees.dueShares, shareDecimals, 8)} shares (~${units(fees.dueAssets!, assetDecimals, 8)} ${assetSymbol}), minted at the next interaction` : ""}` +
            `; fee share-price mark ${mark}`,
        );
      }
    } else {
      out(`  fees: unavailable (${describeError([feeConfig, feeState].map((r) => (r.ok ? undefined : r.error)).find((e) => e !== undefined), iface)})`);
    }
    if (payConfig.ok && payState.ok) {
      const c = payConfig.value;
      const today = BigInt(Math.floor(now / 86_400));
      const paidToday = payState.value.day === today ? payState.value.paidToday : 0n;
      // Vaults from before the gas-token feed existed do not answer gasTokenFeed(): priced as a leg.
      const feed = gasFeed.ok && gasFeed.value !== ZeroAddress ? gasFeed.value : undefined;
      result.keeperPay = { ...structObjectOf(c), paidToday, gasTokenFeed: feed } as NonNullable<StatusResult["keeperPay"]>;
      const pricedBy = feed ? `its own feed ${feed}` : `the ${c.gasTokenIsDebt ? "debt" : "collateral"} feed`;
      out(
        c.multiplierBps === 0n
          ? `  keeper pay: off${feed ? ` (gas token feed ${feed})` : ""}`
          : `  keeper pay: ${Number(c.multiplierBps) / 10_000}x gas at most ${units(c.maxGasPrice, 9, 2)} gwei (gas token priced by ${pricedBy}), ` +
              `<= ${units(c.maxPerAction, assetDecimals)} ${assetSymbol} per full trade; budget used today ${units(paidToday, assetDecimals)} of ${units(c.maxPerDay, assetDecimals)} ${assetSymbol}`,
      );
    } else {
      out(`  keeper pay: unavailable (${describeError([payConfig, payState].map((r) => (r.ok ? undefined : r.error)).find((e) => e !== undefined), iface)})`);
    }
    if (opts.account) {
      const shares = await read("balanceOf()", () => vault.balanceOf(opts.account!), iface);
      const assets = await settle(vault.previewRedeem(shares));
      result.account = { address: opts.account, shares, assets: assets.ok ? assets.value : undefined };
      const value = assets.ok ? `redeemable now for ~${units(assets.value, assetDecimals)} ${assetSymbol}` : "value unavailable (see above)";
      out(`\nAccount ${opts.account}: ${units(shares, shareDecimals)} shares, ${value}`);
    }
    return { result, lines };
}
